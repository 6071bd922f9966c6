/**
 * RetainedPort in memory, the node host's stand-in for ESP32 RTC slow memory: it survives
 * deep sleep (the object lives on between cycles) and is cleared by powerCut(). Stricter than
 * silicon where that catches bugs: it copies on save and load, so a caller cannot change the
 * saved record by mutating its buffer afterwards.
 */
import type { RetainedPort } from '../../firmware/index.js';
// Value imports name the module itself: these pure ports are bundled into XS entries too.
import { FirmwareError } from '../../firmware/errors.js';

export interface MemoryRetained extends RetainedPort {
  /** Power loss: the record is gone. */
  powerCut(): void;
  /** Corrupt the stored record (tests of the cold-start path). */
  tamper(mutate: (bytes: Uint8Array) => Uint8Array): void;
  /** Number of save() calls so far. */
  readonly saves: number;
}

/** ESP32 has 8 KiB of RTC slow memory, shared with the ULP and the IDF; 2 KiB is a fair budget. */
export const DEFAULT_RETAINED_CAPACITY = 2048;

/** A copy through ArrayBuffer.slice: one native copy (a typed-array copy is metered per byte on XS). */
function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function createMemoryRetained(capacity = DEFAULT_RETAINED_CAPACITY): MemoryRetained {
  if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`retained capacity must be a positive integer, got ${capacity}`);
  let record: Uint8Array | undefined;
  let saves = 0;
  return {
    capacity,
    load: () => (record === undefined ? undefined : copy(record)),
    save(bytes) {
      if (!(bytes instanceof Uint8Array)) throw new TypeError('retained.save expects a Uint8Array');
      if (bytes.length > capacity) throw new FirmwareError('ERR_RETAINED_TOO_LARGE', `${bytes.length} > ${capacity} bytes`);
      record = copy(bytes);
      saves++;
    },
    powerCut() {
      record = undefined;
    },
    tamper(mutate) {
      if (record !== undefined) record = mutate(copy(record));
    },
    get saves() {
      return saves;
    },
  };
}
