/**
 * The retained record: everything that must survive deep sleep, in one CBOR map from a
 * section number to that section's bytes. Section numbers are fixed forever; retire, never
 * reuse (as error codes). Each step owns the bytes of its section (Retainable.snapshot), so a
 * step's format can change without touching the others, and a section that fails to restore
 * costs only that step its state.
 */
import { decode, encode } from '../codec/cbor.js';
import { FirmwareError } from '../errors.js';

export const RETAINED_SECTION = {
  /** Record format and boot counters. */
  header: 0,
  /** Sampling pipelines: filters, report policies, aggregates per channel. */
  sampling: 1,
  /** Local rules: threshold states. */
  rules: 2,
  /** Planner: next due times per task. */
  planner: 3,
  /** Uplink: outbox counters, MQTT backoff, broker index, clock correction. */
  uplink: 4,
  /** OTA: pending-verify health clock and boot count. */
  update: 5,
  /** SenML sequence counter. */
  sequence: 6,
} as const;

export type RetainedSections = Map<number, Uint8Array>;

/** Version of the record layout (the header section's first element). */
export const RETAINED_FORMAT = 1;

export function encodeRetainedRecord(sections: RetainedSections): Uint8Array {
  return encode(sections);
}

/**
 * Decodes a record; throws ERR_STATE_CORRUPT when the bytes are not a CBOR map of small
 * non-negative integers to byte strings. Unknown sections (from a newer firmware) are kept
 * out: the caller reads only the sections it knows.
 */
export function decodeRetainedRecord(bytes: Uint8Array): RetainedSections {
  let value: unknown;
  try {
    value = decode(bytes, { maxDepth: 2 });
  } catch (error) {
    throw new FirmwareError('ERR_STATE_CORRUPT', `retained record: ${(error as Error).message}`);
  }
  const sections: RetainedSections = new Map();
  // A map with integer keys decodes to a Map; an empty map decodes to a plain object.
  if (value instanceof Map) {
    for (const [key, section] of value) {
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key > 255) throw new FirmwareError('ERR_STATE_CORRUPT', `retained record: section key ${String(key)}`);
      if (!(section instanceof Uint8Array)) throw new FirmwareError('ERR_STATE_CORRUPT', `retained record: section ${key} is not bytes`);
      sections.set(key, section);
    }
    return sections;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && Object.keys(value).length === 0) return sections;
  throw new FirmwareError('ERR_STATE_CORRUPT', 'retained record: expected a map of sections');
}
