/**
 * The consumer's de-duplicated log of what arrived: records by (device, sequence number), packs
 * by their first sequence number, duplicates counted. Shared by the MQTT consumer (full stack)
 * and the logic-mode broker model; serialisable to merge logs from several device hosts.
 */
import { resolvePack } from '../../firmware/index.js';

export interface ReceivedLog {
  /** Distinct records per device (sequence numbers). */
  readonly seqs: Map<string, Set<number>>;
  /** Distinct packs per device (their first sequence number). */
  readonly packs: Map<string, Set<number>>;
  /** Records seen again (QoS 1 redelivery), removed by the de-duplication. */
  duplicates: number;
  /** Messages that arrived (duplicates included). */
  messages: number;
  bytes: number;
  /** Payloads that did not decode (should stay 0). */
  malformed: number;
}

export function emptyReceivedLog(): ReceivedLog {
  return { seqs: new Map(), packs: new Map(), duplicates: 0, messages: 0, bytes: 0, malformed: 0 };
}

/** Records one pack; the logic-mode broker model calls this directly. */
export function receivePack(log: ReceivedLog, deviceId: string, payload: Uint8Array): number {
  log.messages++;
  log.bytes += payload.length;
  let records;
  try {
    records = resolvePack(payload);
  } catch {
    log.malformed++;
    return 0;
  }
  let seqs = log.seqs.get(deviceId);
  if (seqs === undefined) log.seqs.set(deviceId, (seqs = new Set()));
  let packs = log.packs.get(deviceId);
  if (packs === undefined) log.packs.set(deviceId, (packs = new Set()));
  let first = Number.POSITIVE_INFINITY;
  for (const r of records) {
    if (r.seq === undefined) continue;
    if (r.seq < first) first = r.seq;
    if (seqs.has(r.seq)) log.duplicates++;
    else seqs.add(r.seq);
  }
  if (!Number.isFinite(first) || packs.has(first)) return 0;
  packs.add(first);
  return 1;
}

export interface SerialReceivedLog {
  seqs: [string, number[]][];
  packs: [string, number[]][];
  duplicates: number;
  messages: number;
  bytes: number;
  malformed: number;
}

export function serialiseReceived(log: ReceivedLog): SerialReceivedLog {
  return {
    seqs: [...log.seqs].map(([id, s]): [string, number[]] => [id, [...s]]),
    packs: [...log.packs].map(([id, s]): [string, number[]] => [id, [...s]]),
    duplicates: log.duplicates, messages: log.messages, bytes: log.bytes, malformed: log.malformed,
  };
}

/** Adds a serialised log into `into` (device ids are disjoint between hosts). */
export function mergeReceived(into: ReceivedLog, from: SerialReceivedLog): void {
  for (const [id, seqs] of from.seqs) {
    let set = into.seqs.get(id);
    if (set === undefined) into.seqs.set(id, (set = new Set()));
    for (const s of seqs) set.add(s);
  }
  for (const [id, packs] of from.packs) {
    let set = into.packs.get(id);
    if (set === undefined) into.packs.set(id, (set = new Set()));
    for (const p of packs) set.add(p);
  }
  into.duplicates += from.duplicates;
  into.messages += from.messages;
  into.bytes += from.bytes;
  into.malformed += from.malformed;
}
