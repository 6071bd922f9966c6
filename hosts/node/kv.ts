/**
 * KvPort on Node: in memory (tests, simulator) and file-backed (a JSON file written atomically
 * with rename, so a crash leaves the old or the new content, never a torn one). Both enforce
 * the NVS key rule (KV_KEY_PATTERN) and copy values in and out.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { FirmwareError, KV_KEY_PATTERN, type KvPort } from '../../firmware/index.js';

function checkKey(key: string): void {
  if (typeof key !== 'string' || !KV_KEY_PATTERN.test(key)) throw new FirmwareError('ERR_KV_KEY', JSON.stringify(key));
}

function checkValue(value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw new TypeError('kv values are Uint8Array');
}

class MapKv implements KvPort {
  protected readonly entries = new Map<string, Uint8Array>();
  get(key: string): Uint8Array | undefined {
    checkKey(key);
    return this.entries.get(key)?.slice();
  }
  set(key: string, value: Uint8Array): void {
    checkKey(key);
    checkValue(value);
    this.entries.set(key, value.slice());
    this.persist();
  }
  delete(key: string): void {
    checkKey(key);
    if (this.entries.delete(key)) this.persist();
  }
  keys(): string[] {
    return [...this.entries.keys()].sort();
  }
  protected persist(): void {}
}

export function createMemoryKv(): KvPort {
  return new MapKv();
}

class FileKv extends MapKv {
  readonly #path: string;
  constructor(path: string) {
    super();
    this.#path = path;
    if (!existsSync(path)) return;
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new FirmwareError('ERR_STATE_CORRUPT', `kv file ${path} is not a JSON object`);
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (!KV_KEY_PATTERN.test(key) || typeof value !== 'string') throw new FirmwareError('ERR_STATE_CORRUPT', `kv file ${path}: bad entry ${key}`);
      this.entries.set(key, new Uint8Array(Buffer.from(value, 'base64')));
    }
  }
  protected override persist(): void {
    const doc: Record<string, string> = {};
    for (const key of this.keys()) doc[key] = Buffer.from(this.entries.get(key)!).toString('base64');
    const tmp = `${this.#path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(doc));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#path);
  }
}

/** Durable when set() returns; reopening the same path gives the same entries. */
export function createFileKv(path: string): KvPort {
  return new FileKv(path);
}
