/**
 * The outbox: the one home of every report until the broker acknowledges it (design section 3
 * step 6; style item 11 and complaint 1: never a second queue, online or offline).
 *
 * - Persistent: every change is in the outbox store before the call returns (log-record.ts);
 *   `Outbox.open` replays the log after a reboot or a power cut.
 * - Ordered: entries keep enqueue order (ids increase), which is sequence-number order.
 * - Deleted only on acknowledgement: `acknowledge(id)` is called on PUBACK and nowhere else;
 *   thinning and dropping are the only other ways out, and both are counted.
 * - Bounded in bytes: `maxBytes` for the entries (encoded size plus the store's framing).
 *   Overflow policy when a report does not fit:
 *     1. thin: among the ordinary (non-alarm) entries, take the oldest half and remove every
 *        other one (the 2nd, 4th, ... oldest), so old data is downsampled and recent data
 *        kept dense; repeat while it frees room and at least 3 ordinary entries remain;
 *     2. drop: remove the oldest ordinary entry, and repeat;
 *     3. refuse: the new report itself when nothing ordinary is left to remove (counted as a drop).
 *   Alarms are never removed. They may also use `alarmReserveBytes` beyond `maxBytes`; an alarm
 *   that finds even that full is refused and counted in `refusedAlarms` (the physical limit;
 *   size the reserve so it does not happen).
 * - Entries held by a publish in flight (`hold`) are never thinned or dropped.
 * - The counters (dropped, thinned, refusedAlarms) are cumulative and persist in the log; they go
 *   out in every status and check-in.
 */
import { FirmwareError } from '../errors.js';
import type { OutboxStorePort } from '../ports/outbox-store.js';
import type { Report } from '../node/steps.js';
import { decodeLogRecord, encodeAck, encodeCounts, encodeEntry, ENTRY_HEADER_BYTES, type Counts, type EntryRecord } from './log-record.js';

/** Framing the file store adds per record (length + CRC): counted so budgets match storage. */
export const STORE_FRAME_BYTES = 8;

export interface OutboxOptions {
  /** Budget for queued entries, in bytes as stored. */
  maxBytes: number;
  /** Extra room only alarms may use (default a quarter of maxBytes). */
  alarmReserveBytes?: number;
  /** Fraction of maxBytes at which `highWater` turns true and a radio window is due (default 0.5). */
  highWaterFraction?: number;
  /** Store size at which acknowledged entries are compacted away (default 2 x maxBytes). */
  compactAtBytes?: number;
}

export interface OutboxEntry extends Readonly<EntryRecord> {
  /** Bytes this entry counts against the budget. */
  readonly bytes: number;
}

export interface OutboxStats extends Counts {
  records: number;
  bytes: number;
  alarms: number;
  highWater: boolean;
}

export interface EnqueueOutcome {
  accepted: boolean;
  /** Entries removed by thinning / dropped (the new report included when refused) by this call. */
  thinned: number;
  dropped: number;
}

/** New bytes and times for an entry (clock correction); undefined leaves it as it is. */
export type Restamp = (entry: OutboxEntry) => { pack: Uint8Array; createdAtMs: number; clockKnown: boolean } | undefined;

function sized(r: EntryRecord): OutboxEntry {
  return {
    id: r.id, alarm: r.alarm, clockKnown: r.clockKnown, firstSeq: r.firstSeq, lastSeq: r.lastSeq, createdAtMs: r.createdAtMs, pack: r.pack,
    bytes: ENTRY_HEADER_BYTES + r.pack.length + STORE_FRAME_BYTES,
  };
}

export class Outbox {
  readonly #store: OutboxStorePort;
  readonly #maxBytes: number;
  readonly #alarmReserve: number;
  readonly #highWater: number;
  readonly #compactAt: number;
  #entries: OutboxEntry[] = [];
  #bytes = 0;
  #nextId = 1;
  #counts: Counts = { dropped: 0, thinned: 0, refusedAlarms: 0 };
  #corrupt = 0;
  readonly #held = new Set<number>();

  /** Opens the outbox over a store, replaying its log. */
  static open(store: OutboxStorePort, options: OutboxOptions): Outbox {
    return new Outbox(store, options);
  }

  private constructor(store: OutboxStorePort, options: OutboxOptions) {
    if (store === null || typeof store !== 'object' || typeof store.append !== 'function' || typeof store.readAll !== 'function'
      || typeof store.rewrite !== 'function' || typeof store.size !== 'function') {
      throw new FirmwareError('ERR_PORT_MISSING', 'outbox store');
    }
    const { maxBytes } = options;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 64) throw new FirmwareError('ERR_ARGUMENT', 'outbox maxBytes must be an integer >= 64');
    this.#store = store;
    this.#maxBytes = maxBytes;
    this.#alarmReserve = options.alarmReserveBytes ?? Math.floor(maxBytes / 4);
    this.#highWater = Math.floor(maxBytes * (options.highWaterFraction ?? 0.5));
    this.#compactAt = options.compactAtBytes ?? 2 * maxBytes;
    this.#replay();
  }

  #replay(): void {
    // Runs at every wake: one pass, no per-entry allocation beyond the entry itself.
    const entries: OutboxEntry[] = [];
    const acked = new Set<number>();
    let maxId = 0;
    let ordered = true;
    for (const bytes of this.#store.readAll()) {
      let record;
      try {
        record = decodeLogRecord(bytes);
      } catch {
        this.#corrupt++; // passed the store's CRC yet malformed: skip it, never brick the node
        continue;
      }
      if (record.kind === 'entry') {
        if (record.entry.id <= maxId) ordered = false;
        else maxId = record.entry.id;
        entries.push(sized(record.entry));
      } else if (record.kind === 'ack') {
        for (const id of record.ids) acked.add(id);
      } else {
        this.#counts = record.counts;
      }
    }
    let live = acked.size === 0 ? entries : entries.filter((e) => !acked.has(e.id));
    if (!ordered) {
      // Only a hand-made log can get here: keep the last copy of an id, in id order.
      const byId = new Map<number, OutboxEntry>();
      for (const e of live) byId.set(e.id, e);
      live = [...byId.values()].sort((a, b) => a.id - b.id);
      maxId = live.reduce((m, e) => Math.max(m, e.id), maxId);
    }
    this.#entries = live;
    this.#bytes = live.reduce((n, e) => n + e.bytes, 0);
    this.#nextId = maxId + 1;
    if (live.length === 0 && this.#nextId > 1) this.#compact(); // only acks left: start clean
  }

  /**
   * The counts the wake cycle reads, several times a wake (window reasons, device status, plan,
   * publish, check-in): everything but the alarm count, so no pass over the entries, which a
   * long outage makes thousands.
   */
  backlog(): Omit<OutboxStats, 'alarms'> {
    const { dropped, thinned, refusedAlarms } = this.#counts;
    return { records: this.#entries.length, bytes: this.#bytes, highWater: this.#bytes >= this.#highWater, dropped, thinned, refusedAlarms };
  }

  /** backlog() and the alarm count (a pass over the entries). */
  stats(): OutboxStats {
    const entries = this.#entries;
    let alarms = 0;
    for (let i = 0; i < entries.length; i++) if (entries[i]!.alarm) alarms++;
    return { ...this.backlog(), alarms };
  }

  /** Malformed log records skipped at open (should be 0). */
  corruptRecords(): number {
    return this.#corrupt;
  }

  /** Queued entries, oldest first. */
  entries(): readonly OutboxEntry[] {
    return this.#entries.slice();
  }

  /** The oldest entries that a window should publish, in order. */
  head(count: number): readonly OutboxEntry[] {
    return this.#entries.slice(0, count);
  }

  enqueue(report: Report, options: { clockKnown: boolean }): EnqueueOutcome {
    const record: EntryRecord = {
      id: this.#nextId,
      alarm: report.alarm,
      clockKnown: options.clockKnown,
      firstSeq: report.firstSeq,
      lastSeq: report.lastSeq,
      createdAtMs: report.createdAtMs,
      pack: report.pack.slice(),
    };
    const encoded = encodeEntry(record);
    const entry = sized(record);
    if (encoded.length > this.#store.maxRecordBytes || entry.bytes > this.#maxBytes) {
      throw new FirmwareError('ERR_OUTBOX_RECORD', `report of ${report.pack.length} bytes cannot fit the outbox`);
    }
    this.#nextId++;
    const limit = this.#maxBytes + (entry.alarm ? this.#alarmReserve : 0);
    const outcome: EnqueueOutcome = { accepted: true, thinned: 0, dropped: 0 };
    const fits = (): boolean => this.#bytes + entry.bytes <= limit;
    while (!fits()) {
      const thinned = this.#thinOnce();
      if (thinned > 0) { outcome.thinned += thinned; continue; }
      if (this.#dropOldestOrdinary()) { outcome.dropped++; continue; }
      break;
    }
    if (!fits()) {
      outcome.accepted = false;
      outcome.dropped++;
      if (entry.alarm) this.#counts.refusedAlarms++;
    } else {
      this.#entries.push(entry);
      this.#bytes += entry.bytes;
    }
    this.#counts.thinned += outcome.thinned;
    this.#counts.dropped += outcome.dropped;
    if (outcome.thinned > 0 || outcome.dropped > (outcome.accepted ? 0 : 1)) {
      this.#compact(); // evictions: rewrite the log with the new entry and counters in it
    } else if (outcome.accepted) {
      this.#store.append(encoded);
    } else {
      this.#store.append(encodeCounts(this.#counts));
    }
    return outcome;
  }

  /** Removes every other ordinary entry from the oldest half; returns how many went. */
  #thinOnce(): number {
    const ordinary = this.#entries.filter((e) => !e.alarm && !this.#held.has(e.id));
    if (ordinary.length < 3) return 0;
    const oldestHalf = ordinary.slice(0, Math.ceil(ordinary.length / 2));
    const gone = new Set(oldestHalf.filter((_, i) => i % 2 === 1).map((e) => e.id));
    this.#remove(gone);
    return gone.size;
  }

  #dropOldestOrdinary(): boolean {
    const victim = this.#entries.find((e) => !e.alarm && !this.#held.has(e.id));
    if (victim === undefined) return false;
    this.#remove(new Set([victim.id]));
    return true;
  }

  #remove(ids: ReadonlySet<number>): void {
    this.#entries = this.#entries.filter((e) => {
      if (!ids.has(e.id)) return true;
      this.#bytes -= e.bytes;
      return false;
    });
  }

  /** Protects an entry from thinning and dropping while its publish is in flight. */
  hold(id: number): void {
    this.#held.add(id);
  }

  release(id: number): void {
    this.#held.delete(id);
  }

  releaseAll(): void {
    this.#held.clear();
  }

  /** The broker acknowledged entry `id` (PUBACK): delete it, durably. Unknown ids are ignored. */
  acknowledge(id: number): void {
    this.#held.delete(id);
    if (!this.#entries.some((e) => e.id === id)) return;
    this.#store.append(encodeAck([id]));
    this.#remove(new Set([id]));
    if (this.#entries.length === 0 || this.#store.size() > this.#compactAt) this.#compact();
  }

  /** Rewrites entries through `restamp` (clock correction); returns how many changed. */
  restamp(fn: Restamp): number {
    let changed = 0;
    this.#entries = this.#entries.map((e) => {
      const next = fn(e);
      if (next === undefined) return e;
      changed++;
      return sized({ ...e, pack: next.pack.slice(), createdAtMs: next.createdAtMs, clockKnown: next.clockKnown });
    });
    if (changed > 0) {
      this.#bytes = this.#entries.reduce((n, e) => n + e.bytes, 0);
      this.#compact();
    }
    return changed;
  }

  /** One atomic rewrite: queued entries and the counters. */
  #compact(): void {
    const records = this.#entries.map((e) => encodeEntry(e));
    const { dropped, thinned, refusedAlarms } = this.#counts;
    if (dropped + thinned + refusedAlarms > 0) records.push(encodeCounts(this.#counts));
    this.#store.rewrite(records);
  }
}
