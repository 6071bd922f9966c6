/**
 * The retained record: everything that must survive deep sleep, as numbered sections, each the
 * bytes of one step's state. Section numbers are fixed forever; retire, never reuse (as error
 * codes). Each step owns the bytes of its section (Retainable.snapshot), so a step's format can
 * change without touching the others, and a section that fails to restore costs only that step
 * its state.
 *
 * Layout (format 2), chosen for the XS budget: a wake cycle restores and saves the record every
 * time, and a general CBOR map of CBOR sections cost ~45,000 computrons of the ~20,000 budget.
 *   byte 0          RETAINED_FORMAT
 *   then per section: u8 section number, u16 big-endian length, the bytes
 * The core's section is JSON text (native JSON.parse/stringify: exact for finite doubles,
 * cheap on XS); the uplink and update sections are whatever those steps snapshot.
 */
import { FirmwareError } from '../errors.js';
import { concatBytesNative } from './native.js';

export const RETAINED_SECTION = {
  /**
   * The core's own state, one JSON document (state.ts): boot counter and config version,
   * sampling pipelines, rule states, planned work and check-in due time, the SenML sequence.
   * One document, because every section costs a parse and a stringify at every wake.
   */
  core: 0,
  // 1, 2, 3 and 6 were separate core sections in a layout that never shipped: reserved.
  /** Uplink: outbox counters, MQTT backoff, broker index, clock correction. */
  uplink: 4,
  /** OTA: pending-verify health clock and boot count. */
  update: 5,
} as const;

export type RetainedSections = Map<number, Uint8Array>;

/** Version of the record layout (byte 0). Format 1 was a CBOR map (never shipped). */
export const RETAINED_FORMAT = 2;

const MAX_SECTION_BYTES = 0xffff;

export function encodeRetainedRecord(sections: RetainedSections): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(RETAINED_FORMAT)];
  sections.forEach((bytes, key) => {
    if (!Number.isInteger(key) || key < 0 || key > 255) throw new FirmwareError('ERR_ARGUMENT', `retained section number ${key}`);
    if (bytes.length > MAX_SECTION_BYTES) throw new FirmwareError('ERR_RETAINED_TOO_LARGE', `section ${key}: ${bytes.length} bytes`);
    parts.push(Uint8Array.of(key, bytes.length >> 8, bytes.length & 0xff), bytes);
  });
  return concatBytesNative(parts);
}

/** Decodes a record; throws ERR_STATE_CORRUPT on another format, a torn frame or a repeated section. */
export function decodeRetainedRecord(bytes: Uint8Array): RetainedSections {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new FirmwareError('ERR_STATE_CORRUPT', 'retained record: empty');
  if (bytes[0] !== RETAINED_FORMAT) throw new FirmwareError('ERR_STATE_CORRUPT', `retained record: format ${bytes[0]}`);
  const sections: RetainedSections = new Map();
  let at = 1;
  while (at < bytes.length) {
    if (at + 3 > bytes.length) throw new FirmwareError('ERR_STATE_CORRUPT', 'retained record: torn section header');
    const key = bytes[at]!;
    const length = (bytes[at + 1]! << 8) | bytes[at + 2]!;
    const end = at + 3 + length;
    if (end > bytes.length) throw new FirmwareError('ERR_STATE_CORRUPT', `retained record: section ${key} runs past the end`);
    if (sections.has(key)) throw new FirmwareError('ERR_STATE_CORRUPT', `retained record: section ${key} twice`);
    sections.set(key, bytes.subarray(at + 3, end));
    at = end;
  }
  return sections;
}
