/**
 * The updater's records in the kv port (NVS on the device): small CBOR maps with integer keys,
 * one kv key each, so every change is one durable kv write. A record that does not decode is
 * treated as absent (the kv port itself is crash-safe; this guards against format changes).
 *
 * | kv key   | record                                                                   |
 * |----------|--------------------------------------------------------------------------|
 * | ota.sv   | uint: security version floor, raised only after a commit                 |
 * | ota.dl   | download progress: {1 manifest digest, 2 offset, 3 etag?, 4 size}       |
 * | ota.tr   | trial: {1 version, 2 security version, 3 target slot, 4 manifest digest} |
 * | ota.out  | outcome to report: {1 kind, 2 version, 3 reason?}                        |
 * | ota.rf   | refused offer: {1 manifest digest, 2 reason}                             |
 */
import { decode, encode } from '../codec/cbor.js';
import type { UpdateOutcome } from '../node/steps.js';
import type { KvPort } from '../ports/kv.js';
import type { SlotIndex } from '../ports/firmware-slots.js';
import { cborMap } from './cose.js';

export const KV = Object.freeze({
  securityVersion: 'ota.sv',
  progress: 'ota.dl',
  trial: 'ota.tr',
  outcome: 'ota.out',
  refused: 'ota.rf',
} as const);

export interface Progress {
  digest: Uint8Array;
  /** Bytes written and saved; a multiple of the sector size, or the image size when done. */
  offset: number;
  etag?: string;
  size: number;
}

export interface Trial {
  version: string;
  securityVersion: number;
  target: SlotIndex;
  digest: Uint8Array;
}

export interface Refused {
  digest: Uint8Array;
  reason: string;
}

const OUTCOME_KIND = Object.freeze(['succeeded', 'failed', 'rolled_back'] as const);

function readMap(kv: KvPort, key: string): Map<unknown, unknown> | undefined {
  const bytes = kv.get(key);
  if (bytes === undefined) return undefined;
  try {
    return cborMap(decode(bytes));
  } catch {
    return undefined;
  }
}

const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function readSecurityVersion(kv: KvPort): number | undefined {
  const bytes = kv.get(KV.securityVersion);
  if (bytes === undefined) return undefined;
  try {
    const v = decode(bytes);
    return isUint(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function writeSecurityVersion(kv: KvPort, value: number): void {
  kv.set(KV.securityVersion, encode(value));
}

export function readProgress(kv: KvPort): Progress | undefined {
  const m = readMap(kv, KV.progress);
  const digest = m?.get(1), offset = m?.get(2), etag = m?.get(3), size = m?.get(4);
  if (!(digest instanceof Uint8Array) || !isUint(offset) || !isUint(size) || offset > size) return undefined;
  const p: Progress = { digest, offset, size };
  if (typeof etag === 'string') p.etag = etag;
  return p;
}

export function writeProgress(kv: KvPort, p: Progress): void {
  const m = new Map<number, unknown>([[1, p.digest], [2, p.offset], [4, p.size]]);
  if (p.etag !== undefined) m.set(3, p.etag);
  kv.set(KV.progress, encode(m));
}

export function readTrial(kv: KvPort): Trial | undefined {
  const m = readMap(kv, KV.trial);
  const version = m?.get(1), sv = m?.get(2), target = m?.get(3), digest = m?.get(4);
  if (typeof version !== 'string' || !isUint(sv) || (target !== 0 && target !== 1) || !(digest instanceof Uint8Array)) return undefined;
  return { version, securityVersion: sv, target, digest };
}

export function writeTrial(kv: KvPort, t: Trial): void {
  kv.set(KV.trial, encode(new Map<number, unknown>([[1, t.version], [2, t.securityVersion], [3, t.target], [4, t.digest]])));
}

export function readOutcome(kv: KvPort): UpdateOutcome | undefined {
  const m = readMap(kv, KV.outcome);
  const kind = OUTCOME_KIND[m?.get(1) as number];
  const version = m?.get(2), reason = m?.get(3);
  if (kind === undefined || typeof version !== 'string') return undefined;
  if (kind === 'succeeded') return { kind, version };
  return { kind, version, reason: typeof reason === 'string' ? reason : 'unknown' };
}

export function writeOutcome(kv: KvPort, o: UpdateOutcome): void {
  const m = new Map<number, unknown>([[1, OUTCOME_KIND.indexOf(o.kind)], [2, o.version]]);
  if (o.kind !== 'succeeded') m.set(3, o.reason);
  kv.set(KV.outcome, encode(m));
}

export function readRefused(kv: KvPort): Refused | undefined {
  const m = readMap(kv, KV.refused);
  const digest = m?.get(1), reason = m?.get(2);
  if (!(digest instanceof Uint8Array) || typeof reason !== 'string') return undefined;
  return { digest, reason };
}

export function writeRefused(kv: KvPort, r: Refused): void {
  kv.set(KV.refused, encode(new Map<number, unknown>([[1, r.digest], [2, r.reason]])));
}
