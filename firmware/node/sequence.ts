/**
 * The SenML sequence counter: every record on the wire carries the next number, so the server
 * can drop duplicates (a QoS 1 redelivery) and see gaps. It must never go backwards, not even
 * after a power cut that wipes retained memory, or the server would drop new readings as
 * duplicates.
 *
 * Writing flash at every wake would wear it, so the counter reserves blocks in kv: kv holds a
 * ceiling, numbers below it may be used, and the ceiling moves up a block at a time (one kv
 * write per SEQ_BLOCK numbers). The retained record holds [next, ceiling] (state.ts). After a power cut the
 * node resumes at the stored ceiling: it skips at most one block, never reuses a number.
 */
import { decode, encode } from '../codec/cbor.js';
import { FirmwareError } from '../errors.js';
import type { KvPort } from '../ports/kv.js';

export const SEQ_BLOCK = 1024;
export const KV_SEQ_CEILING = 'node.seq';

export interface SequenceState {
  next: number;
  ceiling: number;
}

function readCeiling(kv: KvPort): number {
  const bytes = kv.get(KV_SEQ_CEILING);
  if (bytes === undefined) return 0;
  const value = decode(bytes);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new FirmwareError('ERR_STATE_CORRUPT', 'sequence ceiling in kv');
  return value;
}

/** After a cold start: continue above everything that may have been used. */
export function coldSequence(kv: KvPort): SequenceState {
  const ceiling = readCeiling(kv);
  return { next: ceiling, ceiling };
}

/** Takes `count` consecutive numbers; returns the first. Moves the kv ceiling when needed. */
export function takeSequence(state: SequenceState, count: number, kv: KvPort): number {
  const first = state.next;
  const next = first + count;
  if (next > state.ceiling) {
    // Durable before any number above the old ceiling is handed out.
    const ceiling = next + SEQ_BLOCK;
    kv.set(KV_SEQ_CEILING, encode(ceiling));
    state.ceiling = ceiling;
  }
  state.next = next;
  return first;
}
