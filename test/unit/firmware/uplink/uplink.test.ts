import { describe, expect, it } from 'vitest';
import { buildPack, resolvePack } from '../../../../firmware/codec/senml.js';
import { Outbox } from '../../../../firmware/outbox/outbox.js';
import { UtcClock } from '../../../../firmware/time/utc-clock.js';
import { Uplink, type UplinkLink } from '../../../../firmware/uplink/uplink.js';
import type { DeviceServerClient } from '../../../../firmware/provisioning/server-client.js';
import type { CheckInAnswer, CheckInRequest } from '../../../../firmware/messages/checkin.js';
import type { DeviceStatus, Report, WindowReason } from '../../../../firmware/index.js';
import { createManualClock, type ManualClock } from '../../../../hosts/node/clock.js';
import { createMemoryOutboxStore } from '../../../../hosts/node/outbox-store-memory.js';

const T0 = Date.UTC(2026, 0, 10);
const status: DeviceStatus = { firmwareVersion: '1.0.0', slot: 0, bootState: 'valid', batteryVolts: 3.8, configVersion: 1, outbox: { records: 0, bytes: 0, dropped: 0, thinned: 0 } };

/** A link the test drives: publishes wait until the test acknowledges or fails them. */
class FakeLink implements UplinkLink {
  readonly window = 4;
  opens = 0;
  openResult = true;
  retry = 0;
  closed = 0;
  maxInFlight = 0;
  log: string[] = [];
  pending: { topic: string; payload: Uint8Array; ack: () => void; fail: (e: Error) => void }[] = [];
  published: Uint8Array[] = [];
  autoAck = false;
  async open(): Promise<boolean> {
    this.opens++;
    this.log.push('open');
    this.retry = this.openResult ? 0 : 30_000;
    return this.openResult;
  }
  publish(topic: string, payload: Uint8Array): Promise<void> {
    this.log.push('publish');
    this.published.push(payload);
    if (this.autoAck) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const entry = {
        topic, payload,
        ack: () => { this.pending.splice(this.pending.indexOf(entry), 1); resolve(); },
        fail: (e: Error) => { this.pending.splice(this.pending.indexOf(entry), 1); reject(e); },
      };
      this.pending.push(entry);
      this.maxInFlight = Math.max(this.maxInFlight, this.pending.length);
    });
  }
  async close(): Promise<void> { this.closed++; }
  retryDelayMs(): number { return this.retry; }
  snapshot(): Uint8Array { return new Uint8Array([1, 0, 1, 3]); }
  restore(bytes: Uint8Array): void { if (bytes.length !== 4) throw new Error('bad'); }
}

const pendingStatus: DeviceStatus = { ...status, slot: 1, bootState: 'pending-verify' };

let seq = 0;
function report(clock: ManualClock, alarm = false): Report {
  seq++;
  const t = clock.wallMs();
  return { pack: buildPack([{ name: 't', unit: 'Cel', value: 20 + seq / 10, timeMs: Math.round(t), seq }], { baseName: 'urn:dev:n1:' }), firstSeq: seq, lastSeq: seq, alarm, createdAtMs: t };
}
const flush = async (): Promise<void> => { for (let i = 0; i < 20; i++) await Promise.resolve(); };

function setup(options: { wallMs?: number; server?: (r: CheckInRequest) => CheckInAnswer | Promise<CheckInAnswer>; verified?: boolean } = {}) {
  const clock = createManualClock({ utcMs: T0, wallMs: options.wallMs ?? T0 });
  const utc = new UtcClock(clock);
  if (options.verified !== false) utc.applyServerTime(T0, 0, 0);
  const store = createMemoryOutboxStore();
  const outbox = Outbox.open(store, { maxBytes: 8192 });
  const link = new FakeLink();
  const requests: CheckInRequest[] = [];
  const client = {
    async checkIn(_token: string, request: CheckInRequest) {
      link.log.push('check-in');
      requests.push(request);
      const answer = await options.server!(request);
      return { answer, sentMonoMs: clock.monotonicMs(), receivedMonoMs: clock.monotonicMs() };
    },
  } as unknown as DeviceServerClient;
  const uplink = new Uplink({ outbox, link, upTopic: 'fleet/n1/up', utc, ...(options.server === undefined ? {} : { checkIn: { client, deviceId: 'n1', deviceToken: 'token-0123456789abcdef' } }) });
  const window = (extra: { checkIn?: boolean; reasons?: WindowReason[]; budgetMs?: number; status?: DeviceStatus } = {}) =>
    uplink.openWindow({ nowMs: clock.wallMs(), deadlineMs: clock.wallMs() + (extra.budgetMs ?? 60_000), reasons: extra.reasons ?? ['report'], status: extra.status ?? status, checkIn: extra.checkIn ?? false });
  return { clock, utc, store, outbox, link, uplink, requests, window };
}

describe('UplinkStep', () => {
  it('publishes the outbox oldest first, up to the window in flight, deleting each entry only on its PUBACK', async () => {
    const { clock, outbox, link, uplink, window } = setup();
    for (let i = 0; i < 6; i++) uplink.enqueue(report(clock));
    const seqs = outbox.entries().map((e) => e.firstSeq);
    const done = window();
    await flush();
    expect(link.pending.length).toBe(4); // the window
    expect(uplink.backlog().records).toBe(6); // nothing deleted before a PUBACK
    link.pending[1]!.ack();
    await flush();
    expect(outbox.entries().map((e) => e.firstSeq)).toEqual(seqs.filter((_, i) => i !== 1));
    while (link.pending.length > 0) {
      link.pending[0]!.ack();
      await flush();
    }
    const outcome = await done;
    expect(outcome).toEqual({ brokerReached: true, published: 6 });
    expect(link.maxInFlight).toBeLessThanOrEqual(4);
    expect(link.published.map((p) => resolvePack(p)[0]!.seq)).toEqual(seqs);
    expect(uplink.backlog().records).toBe(0);
    expect(link.closed).toBe(1);
    expect(uplink.counters().published).toBe(6);
  });

  it('a lost link stops the window; unacknowledged entries stay queued in order', async () => {
    const { clock, outbox, link, uplink, window } = setup();
    for (let i = 0; i < 6; i++) uplink.enqueue(report(clock));
    const seqs = outbox.entries().map((e) => e.firstSeq);
    const done = window();
    await flush();
    link.pending[0]!.ack();
    await flush();
    for (const p of [...link.pending]) p.fail(Object.assign(new Error('lost'), { code: 'ERR_MQTT_CLOSED' }));
    const outcome = await done;
    expect(outcome.published).toBe(1);
    expect(outbox.entries().map((e) => e.firstSeq)).toEqual(seqs.slice(1));
    expect(link.published.length).toBe(5); // entry 6 was never tried after the failure
    expect(link.closed).toBe(1);
  });

  it('a failed connect backs off across wakes; an alarm does not wait', async () => {
    const { clock, link, uplink, window } = setup();
    link.openResult = false;
    uplink.enqueue(report(clock));
    expect(await window()).toEqual({ brokerReached: false, published: 0 });
    expect(uplink.nextAttemptAtMs()).toBe(clock.wallMs() + 30_000);
    expect(uplink.counters().brokerFailures).toBe(1);
    clock.advance(10_000);
    await window();
    expect(link.opens).toBe(1); // still backing off
    await window({ reasons: ['alarm'] });
    expect(link.opens).toBe(2);
    link.openResult = true;
    link.autoAck = true;
    clock.advance(31_000);
    expect(await window()).toEqual({ brokerReached: true, published: 1 });
    expect(uplink.nextAttemptAtMs()).toBeUndefined();
  });

  it('an empty outbox opens no MQTT connection', async () => {
    const { link, window } = setup();
    await window();
    expect(link.opens).toBe(0);
  });

  it('a pending image opens MQTT with an empty outbox: the birth alone is "broker reached"', async () => {
    const { link, window } = setup();
    const outcome = await window({ reasons: ['update', 'check-in'], status: pendingStatus });
    expect(link.opens).toBe(1);
    expect(link.published).toHaveLength(0);
    expect(link.closed).toBe(1);
    expect(outcome).toEqual({ brokerReached: true, published: 0 });
  });

  it("a pending image ignores the backoff (it may be the old image's); a failed open still sets it", async () => {
    const { clock, link, uplink, window } = setup();
    link.openResult = false;
    uplink.enqueue(report(clock));
    await window();
    expect(uplink.nextAttemptAtMs()).toBe(clock.wallMs() + 30_000);
    clock.advance(5_000);
    expect(await window({ reasons: ['update'], status: pendingStatus })).toEqual({ brokerReached: false, published: 0 });
    expect(link.opens).toBe(2);
    expect(uplink.nextAttemptAtMs()).toBe(clock.wallMs() + 30_000);
    link.openResult = true;
    link.autoAck = true;
    clock.advance(5_000);
    expect(await window({ reasons: ['update'], status: pendingStatus })).toEqual({ brokerReached: true, published: 1 });
    expect(uplink.nextAttemptAtMs()).toBeUndefined();
  });

  it('only a pending image connects for nothing: not a download in progress, not a pending slot without the update reason', async () => {
    const { link, window } = setup();
    await window({ reasons: ['update'] }); // bootState valid: a download to continue, over HTTP
    await window({ reasons: ['check-in'], status: pendingStatus }); // the updater no longer pending (rolled back, failed)
    expect(link.opens).toBe(0);
  });

  it('checks in after publishing, with fresh outbox counters, and returns the answer', async () => {
    const { clock, link, uplink, requests, window } = setup({ server: () => ({ serverTimeMs: clock.trueUtcMs(), config: { version: 2 } }) });
    link.autoAck = true;
    uplink.enqueue(report(clock));
    const outcome = await window({ checkIn: true });
    expect(link.log).toEqual(['open', 'publish', 'check-in']);
    expect(outcome.checkIn).toEqual({ serverTimeMs: T0, config: { version: 2 } });
    expect(requests[0]).toMatchObject({ deviceId: 'n1', firmwareVersion: '1.0.0', outbox: { records: 0 }, deviceTimeMs: T0 });
    expect(uplink.counters().checkIns).toBe(1);
  });

  it('with an unverified clock it checks in first, then publishes re-stamped reports', async () => {
    const wrong = Date.UTC(2025, 5, 1); // the RTC looked plausible but was 7 months behind
    const { clock, utc, link, uplink, window } = setup({ wallMs: wrong, verified: false, server: () => ({ serverTimeMs: clock.trueUtcMs() }) });
    link.autoAck = true;
    uplink.enqueue(report(clock));
    clock.advance(60_000);
    uplink.enqueue(report(clock));
    expect(utc.verified()).toBe(false);
    await window({ checkIn: true });
    expect(link.log).toEqual(['check-in', 'open', 'publish', 'publish']);
    const times = link.published.map((p) => resolvePack(p)[0]!.time * 1000);
    expect(times).toEqual([T0, T0 + 60_000]);
    expect(clock.wallMs()).toBe(clock.trueUtcMs());
    expect(uplink.counters().restamped).toBe(2);
  });

  it('re-stamps queued reports for drift when the broker is away but the server answers', async () => {
    const { clock, outbox, link, uplink, window } = setup({ server: () => ({ serverTimeMs: clock.trueUtcMs() }) });
    link.openResult = false;
    // The RTC runs 1000 ppm fast: 10 h later it is 36 s ahead.
    const step = 3_600_000;
    for (let h = 0; h < 10; h++) {
      clock.advance(step);
      clock.setWallMs(clock.wallMs() + 3600); // 3.6 s fast per hour
      uplink.enqueue(report(clock));
    }
    const before = outbox.entries().map((e) => e.createdAtMs - T0);
    await window({ checkIn: true });
    const after = outbox.entries().map((e) => e.createdAtMs - T0);
    // The last report (just before the fix) is corrected by the whole 36 s; the first by a tenth.
    expect(before[9]! - after[9]!).toBe(36_000);
    expect(before[0]! - after[0]!).toBe(3_600);
    const packTimes = outbox.entries().map((e) => resolvePack(e.pack)[0]!.time * 1000 - T0);
    expect(packTimes).toEqual(after);
    expect(after).toEqual(Array.from({ length: 10 }, (_, h) => (h + 1) * step));
  });

  it('a failed check-in is counted and the window still returns', async () => {
    const { uplink, window } = setup({ server: () => { throw Object.assign(new Error('down'), { code: 'ERR_HTTP_TIMEOUT' }); } });
    const outcome = await window({ checkIn: true });
    expect(outcome.checkIn).toBeUndefined();
    expect(uplink.counters().checkInFailures).toBe(1);
  });

  it('stops starting publishes at the deadline', async () => {
    const { clock, link, uplink, window } = setup();
    for (let i = 0; i < 6; i++) uplink.enqueue(report(clock));
    const done = window({ budgetMs: 1000 });
    await flush();
    expect(link.pending.length).toBe(4);
    clock.advance(2000);
    link.pending[0]!.ack();
    await flush();
    expect(link.published.length).toBe(4); // no new publish after the deadline
    for (const p of [...link.pending]) p.fail(Object.assign(new Error('deadline'), { code: 'ERR_DEADLINE' }));
    expect((await done).published).toBe(1);
    expect(uplink.backlog().records).toBe(5);
  });

  it('enqueue records whether the clock was verified', () => {
    const { clock, outbox, uplink } = setup({ verified: false });
    uplink.enqueue(report(clock));
    expect(outbox.entries()[0]!.clockKnown).toBe(false);
  });

  it('snapshot and restore carry the clock, the backoff time and the counters', async () => {
    const a = setup();
    a.link.openResult = false;
    a.uplink.enqueue(report(a.clock));
    await a.window();
    const b = setup({ verified: false });
    b.uplink.restore(a.uplink.snapshot());
    expect(b.uplink.nextAttemptAtMs()).toBe(a.uplink.nextAttemptAtMs());
    expect(b.uplink.counters()).toEqual(a.uplink.counters());
    expect(b.utc.verified()).toBe(true);
    expect(() => b.uplink.restore(new Uint8Array([0xff]))).toThrow(expect.objectContaining({ code: 'ERR_STATE_CORRUPT' }));
    expect(() => b.uplink.restore(new Uint8Array([0xa0]))).toThrow(expect.objectContaining({ code: 'ERR_STATE_CORRUPT' }));
  });
});
