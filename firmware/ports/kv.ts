/**
 * Persistent key-value storage (ESP32 NVS via embedded:storage/key-value).
 * Keys are at most 15 characters of [A-Za-z0-9_.-] (the NVS limit); values are bytes.
 * A write is durable when `set` returns.
 */
export interface KvPort {
  get(key: string): Uint8Array | undefined;
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
  keys(): string[];
}

export const KV_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,15}$/;
