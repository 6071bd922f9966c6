/**
 * KvPort in memory (tests, simulator; pure, so it also runs inside XS). It enforces the NVS key
 * rule (KV_KEY_PATTERN) and copies values in and out. kv-file.ts persists the same to a file.
 */
import type { KvPort } from '../../firmware/index.js';
// Value imports name the module itself: this pure port is bundled into XS entries too.
import { FirmwareError } from '../../firmware/errors.js';
import { KV_KEY_PATTERN } from '../../firmware/ports/kv.js';

/** The key and value checks of the node's KvPorts (also hosts/node/flash-kv.ts). */
export function checkKey(key: string): void {
  if (typeof key !== 'string' || !KV_KEY_PATTERN.test(key)) throw new FirmwareError('ERR_KV_KEY', JSON.stringify(key));
}

export function checkValue(value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw new TypeError('kv values are Uint8Array');
}

export class MapKv implements KvPort {
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

