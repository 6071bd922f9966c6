/**
 * KvPort backed by a file: a JSON object of base64 values, written atomically (temporary file,
 * fsync, rename), so a crash leaves the old or the new content, never a torn one.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { FirmwareError, KV_KEY_PATTERN, type KvPort } from '../../firmware/index.js';
import { MapKv } from './kv.js';

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
