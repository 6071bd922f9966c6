/**
 * Re-stamping queued reports after a clock fix: the rule that makes "every timestamp on the wire
 * UTC, corrected for drift" hold for reports that waited in the outbox.
 *
 * When a fix steps the clock by S (utc-clock.ts), a report still queued is corrected by:
 * - S in full if it was stamped before the clock was verified (no server fix since the clock
 *   was lost): its times were in the wrong frame altogether;
 * - S x (c - p) / (f - p) if it was stamped at c after the previous fix p, where f is the wall
 *   clock just before this fix: the drift is taken as linear between two fixes, so a reading
 *   just after the previous fix needs almost nothing and one just before this fix nearly all;
 * - nothing if it was stamped before the previous fix (that fix already corrected it).
 * Corrections under MIN_CORRECTION_MS are skipped for verified reports (the flash rewrite would
 * cost more than the error is worth); unverified reports are always corrected.
 *
 * The pack is SenML-CBOR (firmware/codec/senml.ts): every base time `bt` (label -3) moves by the
 * correction, and so does any absolute `t` (label 6) that no `bt` precedes; times relative to a
 * `bt` follow it. Times stay whole milliseconds, written as senml.ts writes them.
 */
import { decode, encode, Tagged } from '../codec/cbor.js';
import { SENML_LABEL } from '../codec/senml.js';
import { FirmwareError } from '../errors.js';
import type { ClockFix } from './utc-clock.js';

export const MIN_CORRECTION_MS = 500;

/** Milliseconds to add to a report stamped at `createdAtMs` (old frame); 0 = leave it. */
export function correctionFor(createdAtMs: number, stampedVerified: boolean, fix: ClockFix): number {
  if (!stampedVerified) return fix.stepMs;
  const p = fix.previousFixMs;
  if (p === undefined || createdAtMs <= p || fix.beforeMs <= p) return 0;
  const share = Math.min(1, (createdAtMs - p) / (fix.beforeMs - p));
  const correction = Math.round(fix.stepMs * share);
  return Math.abs(correction) < MIN_CORRECTION_MS ? 0 : correction;
}

/** A SenML number as whole milliseconds (times are built from whole ms). */
function toMs(x: unknown): number | undefined {
  if (typeof x === 'number' && Number.isFinite(x)) return Math.round(x * 1000);
  if (x instanceof Tagged && x.tag === 4 && Array.isArray(x.value) && x.value.length === 2) {
    const [e, m] = x.value as unknown[];
    if (typeof e === 'number' && Number.isSafeInteger(e) && typeof m === 'number' && Number.isSafeInteger(m)) {
      return Math.round((e < 0 ? m / 10 ** -e : m * 10 ** e) * 1000);
    }
  }
  return undefined;
}

/** Whole milliseconds as seconds: an integer, or the decimal fraction 4([-k, m]) when shorter (RFC 8949 3.4.4). */
function seconds(ms: number): number | Tagged {
  if (ms % 1000 === 0) return ms / 1000;
  let mantissa = ms;
  let exponent = -3;
  while (mantissa % 10 === 0) { mantissa /= 10; exponent += 1; }
  const fraction = new Tagged(4, [exponent, mantissa]);
  const plain = ms / 1000;
  return encode(fraction).length < encode(plain).length ? fraction : plain;
}

/** The pack with every time moved by `deltaMs`; ERR_SENML_INVALID when it is not a SenML pack. */
export function restampPack(pack: Uint8Array, deltaMs: number): Uint8Array {
  if (deltaMs === 0) return pack;
  const records = decode(pack);
  if (!Array.isArray(records) || records.length === 0) throw new FirmwareError('ERR_SENML_INVALID', 'pack is not a non-empty array');
  let baseSeen = false;
  for (const record of records) {
    if (!(record instanceof Map)) throw new FirmwareError('ERR_SENML_INVALID', 'record is not a map with integer labels');
    for (const label of [SENML_LABEL.bt, SENML_LABEL.t] as const) {
      if (!record.has(label)) continue;
      if (label === SENML_LABEL.t && baseSeen) continue; // relative to a bt that moved already
      const ms = toMs(record.get(label));
      if (ms === undefined) throw new FirmwareError('ERR_SENML_INVALID', `time label ${label} is not a number`);
      record.set(label, seconds(ms + deltaMs));
      if (label === SENML_LABEL.bt) baseSeen = true;
    }
  }
  return encode(records);
}
