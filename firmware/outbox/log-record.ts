/**
 * The outbox's records inside the outbox store's append-only log (firmware/ports/outbox-store.ts).
 * Fixed little-endian layouts, version-free because the log is rewritten whole by compaction:
 *
 *   ENTRY   1 | flags u8 (bit 0 alarm, bit 1 clock known) | id u32 | firstSeq u32 | lastSeq u32
 *             | createdAtMs f64 | pack bytes...                                  (22 + pack)
 *   ACK     2 | id u32 ...            the entries were acknowledged (PUBACK): they are gone
 *   COUNTS  3 | dropped u32 | thinned u32 | refusedAlarms u32    counters, the last one wins
 *
 * Replaying the log (entries minus acks, last counters) gives the outbox's state after a reboot
 * or a power cut.
 */
import { FirmwareError } from '../errors.js';

export const ENTRY_HEADER_BYTES = 22;

export interface EntryRecord {
  id: number;
  alarm: boolean;
  /** The pack's times were taken while the device clock was known (set from a server). */
  clockKnown: boolean;
  firstSeq: number;
  lastSeq: number;
  createdAtMs: number;
  pack: Uint8Array;
}

export interface Counts {
  dropped: number;
  thinned: number;
  refusedAlarms: number;
}

export type LogRecord =
  | { kind: 'entry'; entry: EntryRecord }
  | { kind: 'ack'; ids: number[] }
  | { kind: 'counts'; counts: Counts };

const KIND_ENTRY = 1;
const KIND_ACK = 2;
const KIND_COUNTS = 3;

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

export function encodeEntry(e: EntryRecord): Uint8Array {
  if (!isU32(e.id) || !isU32(e.firstSeq) || !isU32(e.lastSeq) || e.lastSeq < e.firstSeq || !Number.isFinite(e.createdAtMs)) {
    throw new FirmwareError('ERR_ARGUMENT', `outbox entry ${e.id}: ids and sequence numbers are u32 with firstSeq <= lastSeq`);
  }
  const out = new Uint8Array(ENTRY_HEADER_BYTES + e.pack.length);
  const view = new DataView(out.buffer);
  out[0] = KIND_ENTRY;
  out[1] = (e.alarm ? 1 : 0) | (e.clockKnown ? 2 : 0);
  view.setUint32(2, e.id, true);
  view.setUint32(6, e.firstSeq, true);
  view.setUint32(10, e.lastSeq, true);
  view.setFloat64(14, e.createdAtMs, true);
  out.set(e.pack, ENTRY_HEADER_BYTES);
  return out;
}

export function encodeAck(ids: readonly number[]): Uint8Array {
  const out = new Uint8Array(1 + 4 * ids.length);
  const view = new DataView(out.buffer);
  out[0] = KIND_ACK;
  ids.forEach((id, i) => view.setUint32(1 + 4 * i, id, true));
  return out;
}

export function encodeCounts(c: Counts): Uint8Array {
  const out = new Uint8Array(13);
  const view = new DataView(out.buffer);
  out[0] = KIND_COUNTS;
  // Saturate rather than wrap: a counter that wrapped would hide losses.
  view.setUint32(1, Math.min(c.dropped, 0xffffffff), true);
  view.setUint32(5, Math.min(c.thinned, 0xffffffff), true);
  view.setUint32(9, Math.min(c.refusedAlarms, 0xffffffff), true);
  return out;
}

/** Parses one log record; ERR_OUTBOX_CORRUPT when its layout is wrong. */
export function decodeLogRecord(bytes: Uint8Array): LogRecord {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = bytes[0];
  if (kind === KIND_ENTRY && bytes.length > ENTRY_HEADER_BYTES && (bytes[1]! & ~3) === 0) {
    const firstSeq = view.getUint32(6, true);
    const lastSeq = view.getUint32(10, true);
    const createdAtMs = view.getFloat64(14, true);
    if (lastSeq >= firstSeq && Number.isFinite(createdAtMs)) {
      return {
        kind: 'entry',
        entry: {
          id: view.getUint32(2, true),
          alarm: (bytes[1]! & 1) !== 0,
          clockKnown: (bytes[1]! & 2) !== 0,
          firstSeq,
          lastSeq,
          createdAtMs,
          pack: bytes.subarray(ENTRY_HEADER_BYTES), // a view: the store hands out copies
        },
      };
    }
  } else if (kind === KIND_ACK && bytes.length >= 5 && (bytes.length - 1) % 4 === 0) {
    const ids: number[] = [];
    for (let at = 1; at < bytes.length; at += 4) ids.push(view.getUint32(at, true));
    return { kind: 'ack', ids };
  } else if (kind === KIND_COUNTS && bytes.length === 13) {
    return { kind: 'counts', counts: { dropped: view.getUint32(1, true), thinned: view.getUint32(5, true), refusedAlarms: view.getUint32(9, true) } };
  }
  throw new FirmwareError('ERR_OUTBOX_CORRUPT', `log record of kind ${String(kind)} and ${bytes.length} bytes`);
}
