/**
 * KvPort on embedded:storage/key-value: ESP-IDF NVS, one namespace, values as blobs. Every
 * write and delete is committed before it returns (storage-esp32.c calls nvs_commit), which is
 * the port's durability promise. Keys follow NVS's 15-character limit (KV_KEY_PATTERN).
 */
import { FirmwareError, KV_KEY_PATTERN, type KvPort } from '../esp32-core.js';
import type { KeyValueStorage, KeyValueStore } from './moddable-types.js';

/** NVS namespace of the node (at most 15 characters). */
export const KV_NAMESPACE = 'sn';

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || !KV_KEY_PATTERN.test(key)) throw new FirmwareError('ERR_KV_KEY', String(key));
  return key;
}

export function createEsp32Kv(storage: KeyValueStorage, namespace = KV_NAMESPACE): KvPort {
  let store: KeyValueStore | undefined;
  // Opened at first use: opening touches NVS, which a preloaded module must not do.
  const open = (): KeyValueStore => (store ??= storage.open({ path: namespace, mode: 'r+', format: 'buffer' }));
  return {
    get(key) {
      const store = open();
      let value: ReturnType<KeyValueStore['read']>;
      try {
        value = store.read(checkKey(key));
      } catch (error) {
        // storage-esp32.c throws TypeError("mismatch") for a key of another NVS type (written
        // by other firmware or a factory image): for us it holds no bytes.
        if (error instanceof TypeError) return undefined;
        throw error;
      }
      return value instanceof ArrayBuffer ? new Uint8Array(value.slice(0)) : undefined;
    },
    set(key, value) {
      checkKey(key);
      if (!(value instanceof Uint8Array)) throw new FirmwareError('ERR_ARGUMENT', 'kv.set expects a Uint8Array');
      open().write(key, value.slice());
    },
    delete(key) {
      open().delete(checkKey(key));
    },
    keys() {
      const out: string[] = [];
      const it = open()[Symbol.iterator]();
      for (let r = it.next(); r.done !== true; r = it.next()) out.push(r.value);
      return out;
    },
  };
}
