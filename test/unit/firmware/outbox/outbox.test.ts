import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Outbox, STORE_FRAME_BYTES } from '../../../../firmware/outbox/outbox.js';
import { ENTRY_HEADER_BYTES, decodeLogRecord, encodeAck, encodeCounts, encodeEntry } from '../../../../firmware/outbox/log-record.js';
import { createMemoryOutboxStore } from '../../../../hosts/node/outbox-store-memory.js';
import type { Report } from '../../../../firmware/index.js';

const PACK = 30;
const ENTRY = ENTRY_HEADER_BYTES + PACK + STORE_FRAME_BYTES; // 60 bytes as counted
let seq = 0;
function report(alarm = false, size = PACK): Report {
  seq++;
  return { pack: new Uint8Array(size).fill(seq & 0xff), firstSeq: seq, lastSeq: seq, alarm, createdAtMs: 1_700_000_000_000 + seq * 1000 };
}
const seqs = (o: Outbox): number[] => o.entries().map((e) => e.firstSeq);

describe('outbox', () => {
  it('keeps entries in order across a reboot and deletes only what is acknowledged', () => {
    const store = createMemoryOutboxStore();
    const box = Outbox.open(store, { maxBytes: 10 * ENTRY });
    const first = seq + 1;
    for (let i = 0; i < 5; i++) box.enqueue(report(), { clockKnown: true });
    const ids = box.entries().map((e) => e.id);
    box.acknowledge(ids[1]!);
    box.acknowledge(9999); // unknown: ignored
    const again = Outbox.open(store, { maxBytes: 10 * ENTRY });
    expect(seqs(again)).toEqual([first, first + 2, first + 3, first + 4]);
    expect(again.entries().map((e) => e.clockKnown)).toEqual([true, true, true, true]);
    expect(again.stats()).toMatchObject({ records: 4, bytes: 4 * ENTRY, dropped: 0, thinned: 0 });
    // New ids continue past the old ones: an ack can never hit a newer entry.
    again.enqueue(report(), { clockKnown: false });
    expect(again.entries().at(-1)!.id).toBeGreaterThan(ids[4]!);
  });

  it('compacts the log when everything is acknowledged and when the store grows past its budget', () => {
    const store = createMemoryOutboxStore();
    const box = Outbox.open(store, { maxBytes: 10 * ENTRY, compactAtBytes: 12 * ENTRY });
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 8; i++) box.enqueue(report(), { clockKnown: true });
      for (const e of box.head(6)) box.acknowledge(e.id);
      expect(store.size()).toBeLessThanOrEqual(12 * ENTRY + 8 * ENTRY);
    }
    for (const e of box.entries()) box.acknowledge(e.id);
    // Only the counters remain (the backlog grew by 2 a round, so thinning happened).
    expect(store.readAll().map((r) => decodeLogRecord(r).kind)).toEqual(['counts']);
    expect(box.stats()).toMatchObject({ dropped: 0 });
    expect(box.stats().thinned).toBeGreaterThan(0);
    expect(Outbox.open(store, { maxBytes: 10 * ENTRY }).stats().records).toBe(0);
  });

  it('thins ordinary readings (every other one in the oldest half) before dropping any', () => {
    const box = Outbox.open(createMemoryOutboxStore(), { maxBytes: 8 * ENTRY });
    const first = seq + 1;
    for (let i = 0; i < 8; i++) expect(box.enqueue(report(), { clockKnown: true })).toEqual({ accepted: true, thinned: 0, dropped: 0 });
    const outcome = box.enqueue(report(), { clockKnown: true });
    // 8 ordinary: the oldest half is 4, its 2nd and 4th go.
    expect(outcome).toEqual({ accepted: true, thinned: 2, dropped: 0 });
    expect(seqs(box)).toEqual([first, first + 2, first + 4, first + 5, first + 6, first + 7, first + 8]);
    expect(box.stats()).toMatchObject({ thinned: 2, dropped: 0, records: 7 });
    const { alarms: _alarms, ...counts } = box.stats();
    expect(box.backlog()).toEqual(counts);
  });

  it('keeps thinning through a long overflow: recent data dense, old data sparse, order kept, nothing dropped', () => {
    const box = Outbox.open(createMemoryOutboxStore(), { maxBytes: 20 * ENTRY });
    for (let i = 0; i < 500; i++) box.enqueue(report(), { clockKnown: true });
    const kept = seqs(box);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(box.stats().dropped).toBe(0);
    expect(box.stats().thinned + kept.length).toBe(500);
    // The newest readings survive unthinned.
    expect(kept.slice(-5)).toEqual([seq - 4, seq - 3, seq - 2, seq - 1, seq]);
    const gaps = kept.slice(1).map((s, i) => s - kept[i]!);
    expect(Math.max(...gaps.slice(0, 3))).toBeGreaterThan(Math.max(...gaps.slice(-3)));
  });

  it('never evicts alarms; ordinary readings go instead, thinned first then dropped', () => {
    const box = Outbox.open(createMemoryOutboxStore(), { maxBytes: 6 * ENTRY, alarmReserveBytes: 0 });
    const alarms: number[] = [];
    const alarm = (): void => { box.enqueue(report(true), { clockKnown: true }); alarms.push(seq); };
    for (let i = 0; i < 3; i++) box.enqueue(report(), { clockKnown: true });
    for (let i = 0; i < 3; i++) alarm();
    box.enqueue(report(), { clockKnown: true }); // 3 ordinary: the 2nd oldest is thinned
    expect(box.stats()).toMatchObject({ thinned: 1, dropped: 0 });
    alarm(); // 3 ordinary again: thinned
    expect(box.stats()).toMatchObject({ thinned: 2, dropped: 0 });
    alarm(); // 2 ordinary: too few to thin, the oldest is dropped
    expect(box.stats()).toMatchObject({ thinned: 2, dropped: 1 });
    alarm();
    expect(box.stats()).toMatchObject({ dropped: 2, alarms: 6, records: 6 });
    expect(box.entries().map((e) => e.firstSeq)).toEqual(alarms);
    // Nothing ordinary left: an ordinary reading is refused and counted.
    expect(box.enqueue(report(), { clockKnown: true })).toEqual({ accepted: false, thinned: 0, dropped: 1 });
    expect(box.stats()).toMatchObject({ dropped: 3, refusedAlarms: 0 });
  });

  it('alarms may use the reserve beyond maxBytes; past it an alarm is refused and counted', () => {
    const store = createMemoryOutboxStore();
    const box = Outbox.open(store, { maxBytes: 4 * ENTRY, alarmReserveBytes: 2 * ENTRY });
    for (let i = 0; i < 4; i++) box.enqueue(report(), { clockKnown: true });
    box.enqueue(report(true), { clockKnown: true });
    box.enqueue(report(true), { clockKnown: true });
    expect(box.stats()).toMatchObject({ records: 6, bytes: 6 * ENTRY, thinned: 0, dropped: 0 });
    box.enqueue(report(true), { clockKnown: true }); // ordinary make room
    expect(box.stats()).toMatchObject({ alarms: 3, thinned: 1 });
    for (let i = 0; i < 3; i++) box.enqueue(report(true), { clockKnown: true });
    expect(box.stats()).toMatchObject({ alarms: 6, records: 6 });
    expect(box.enqueue(report(true), { clockKnown: true }).accepted).toBe(false);
    expect(box.stats()).toMatchObject({ alarms: 6, refusedAlarms: 1 });
    // Counters persist in the log.
    expect(Outbox.open(store, { maxBytes: 4 * ENTRY }).stats()).toMatchObject({ refusedAlarms: 1, dropped: box.stats().dropped, thinned: box.stats().thinned });
  });

  it('does not thin or drop entries held by a publish in flight', () => {
    const box = Outbox.open(createMemoryOutboxStore(), { maxBytes: 4 * ENTRY });
    for (let i = 0; i < 4; i++) box.enqueue(report(), { clockKnown: true });
    const held = box.entries().map((e) => e.id);
    held.forEach((id) => box.hold(id));
    expect(box.enqueue(report(), { clockKnown: true }).accepted).toBe(false);
    expect(box.entries().map((e) => e.id)).toEqual(held);
    box.releaseAll();
    expect(box.enqueue(report(), { clockKnown: true })).toMatchObject({ accepted: true, thinned: 1 });
  });

  it('refuses a report that can never fit with ERR_OUTBOX_RECORD', () => {
    const box = Outbox.open(createMemoryOutboxStore({ maxRecordBytes: 300 }), { maxBytes: 4096 });
    expect(() => box.enqueue(report(false, 400), { clockKnown: true })).toThrow(expect.objectContaining({ code: 'ERR_OUTBOX_RECORD' }));
    expect(box.stats().records).toBe(0);
  });

  it('restamp rewrites chosen entries durably', () => {
    const store = createMemoryOutboxStore();
    const box = Outbox.open(store, { maxBytes: 10 * ENTRY });
    box.enqueue(report(), { clockKnown: false });
    box.enqueue(report(), { clockKnown: true });
    const changed = box.restamp((e) => (e.clockKnown ? undefined : { pack: new Uint8Array([1, 2, 3]), createdAtMs: 42, clockKnown: true }));
    expect(changed).toBe(1);
    const again = Outbox.open(store, { maxBytes: 10 * ENTRY });
    expect(again.entries()[0]).toMatchObject({ pack: new Uint8Array([1, 2, 3]), createdAtMs: 42, clockKnown: true });
    expect(again.stats().bytes).toBe(ENTRY_HEADER_BYTES + 3 + STORE_FRAME_BYTES + ENTRY);
  });

  it('skips malformed log records instead of refusing to start', () => {
    const store = createMemoryOutboxStore();
    store.append(encodeEntry({ id: 1, alarm: false, clockKnown: true, firstSeq: 1, lastSeq: 1, createdAtMs: 0, pack: new Uint8Array([9]) }));
    store.append(new Uint8Array([77, 1, 2]));
    store.append(encodeCounts({ dropped: 3, thinned: 4, refusedAlarms: 0 }));
    const box = Outbox.open(store, { maxBytes: 1024 });
    expect(box.corruptRecords()).toBe(1);
    expect(box.stats()).toMatchObject({ records: 1, dropped: 3, thinned: 4 });
  });

  it('log records round-trip and malformed ones are refused with ERR_OUTBOX_CORRUPT', () => {
    const entry = { id: 7, alarm: true, clockKnown: false, firstSeq: 10, lastSeq: 12, createdAtMs: 123.5, pack: new Uint8Array([1, 2]) };
    expect(decodeLogRecord(encodeEntry(entry))).toEqual({ kind: 'entry', entry });
    expect(decodeLogRecord(encodeAck([1, 0xffffffff]))).toEqual({ kind: 'ack', ids: [1, 0xffffffff] });
    for (const bad of [new Uint8Array([1, 0]), new Uint8Array([2, 1, 2]), new Uint8Array([3, 0]), new Uint8Array([1, 4, ...new Uint8Array(21)])]) {
      expect(() => decodeLogRecord(bad)).toThrow(expect.objectContaining({ code: 'ERR_OUTBOX_CORRUPT' }));
    }
    expect(() => encodeEntry({ ...entry, lastSeq: 9 })).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT' }));
  });

  it('property: any mix of enqueues, acks and reboots loses no alarm, accounts for every report, stays in order and in budget', () => {
    type Op = { op: 'enqueue'; alarm: boolean; size: number } | { op: 'ack'; index: number } | { op: 'reboot' };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ op: fc.constant('enqueue' as const), alarm: fc.integer({ min: 0, max: 3 }).map((n) => n === 0), size: fc.integer({ min: 1, max: 80 }) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('ack' as const), index: fc.nat(10) }) },
      { weight: 1, arbitrary: fc.constant({ op: 'reboot' as const }) },
    );
    fc.assert(fc.property(fc.array(opArb, { maxLength: 120 }), fc.integer({ min: 300, max: 1500 }), (ops, maxBytes) => {
      const store = createMemoryOutboxStore();
      const options = { maxBytes, alarmReserveBytes: 2000 };
      let box = Outbox.open(store, options);
      let enqueued = 0, acked = 0;
      const alarmsAccepted = new Set<number>(), alarmsAcked = new Set<number>();
      for (const op of ops) {
        if (op.op === 'enqueue') {
          const r = report(op.alarm, op.size);
          enqueued++;
          const outcome = box.enqueue(r, { clockKnown: true });
          if (op.alarm && outcome.accepted) alarmsAccepted.add(r.firstSeq);
        } else if (op.op === 'ack') {
          const e = box.entries()[op.index];
          if (e !== undefined) { box.acknowledge(e.id); acked++; if (e.alarm) alarmsAcked.add(e.firstSeq); }
        } else {
          box = Outbox.open(store, options);
        }
        const s = box.stats();
        const ordinaryBytes = box.entries().filter((e) => !e.alarm).reduce((n, e) => n + e.bytes, 0);
        expect(ordinaryBytes).toBeLessThanOrEqual(maxBytes);
        expect(s.bytes).toBeLessThanOrEqual(maxBytes + 2000);
        expect(s.records + acked + s.thinned + s.dropped).toBe(enqueued);
        const order = seqs(box);
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
      const present = new Set(box.entries().filter((e) => e.alarm).map((e) => e.firstSeq));
      for (const a of alarmsAccepted) expect(present.has(a) || alarmsAcked.has(a)).toBe(true);
    }), { numRuns: 150 });
  });
});
