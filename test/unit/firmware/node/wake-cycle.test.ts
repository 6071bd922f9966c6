import { describe, expect, it } from 'vitest';
import { resolvePack } from '../../../../firmware/codec/senml.js';
import { DEFAULT_NODE_CONFIG, validateNodeConfig } from '../../../../firmware/node/config.js';
import { createNode, KV_CONFIG } from '../../../../firmware/node/node.js';
import type { UpdateStep } from '../../../../firmware/node/steps.js';
import { runWakeCycle } from '../../../../firmware/node/wake-cycle.js';
import { constant, ramp, steps } from '../../../../hosts/node/index.js';
import { fakeUplink, makeFixture } from './fixture.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('runWakeCycle: cold start', () => {
  it('samples everything, reports every channel in one pack with sequence numbers, asks for a check-in', async () => {
    const fx = makeFixture();
    const [r] = await fx.run(1);
    expect(r!.boot).toEqual({ resetReason: 'power-on', wakeCause: 'none', coldStart: 'no-record' });
    expect(r!.sampled.map((s) => s.channel)).toEqual(['temp', 'hum', 'press', 'bat']);
    expect(r!.readings.map((x) => [x.name, x.kind])).toEqual([['temp', 'report'], ['hum', 'report'], ['press', 'report'], ['bat', 'report']]);
    // The consumer takes the base name from the topic <prefix>/<deviceId>/up.
    const records = resolvePack(r!.report!.pack, { baseName: 'urn:dev:node-0001:' });
    expect(records.map((x) => [x.name, x.unit, x.seq])).toEqual([
      ['urn:dev:node-0001:temp', 'Cel', 0], ['urn:dev:node-0001:hum', '%RH', 1],
      ['urn:dev:node-0001:press', 'Pa', 2], ['urn:dev:node-0001:bat', 'V', 3],
    ]);
    expect(records[0]!.value).toBe(21.5);
    expect(records[0]!.time).toBe(fx.clock.trueUtcMs() / 1000 - 300); // stamped at the sample, in whole seconds
    expect(r!.report).toMatchObject({ firstSeq: 0, lastSeq: 3, alarm: false });
    expect(r!.window).toEqual({ reasons: ['report', 'check-in'], opened: false, skipped: 'no-uplink' });
    expect(r!.next.sleepMs).toBe(5 * MIN);
    expect(fx.power.sleeps[0]).toEqual({ ms: 5 * MIN, sources: [{ kind: 'timer', ms: 5 * MIN }] });
    expect(fx.log.codes()).toContain('COLD_START');
  });

  it('a corrupt retained record is a logged cold start, never a crash', async () => {
    const fx = makeFixture();
    await fx.run(2);
    fx.retained.tamper((b) => b.subarray(0, b.length - 3));
    const [r] = await fx.run(1);
    expect(r!.boot.coldStart).toBe('corrupt-record');
    expect(r!.cycle).toBe(0);
    expect(fx.log.codes()).toContain('RETAINED_CORRUPT');
    expect(r!.readings.length).toBe(4); // everything reported afresh
  });
});

describe('runWakeCycle: across deep sleep', () => {
  it('a warm wake restores state: nothing changed, nothing reported, no radio', async () => {
    const fx = makeFixture();
    const [, second] = await fx.run(2);
    expect(second!.boot).toEqual({ resetReason: 'deep-sleep', wakeCause: 'timer' });
    expect(second!.cycle).toBe(1);
    expect(second!.readings).toEqual([]);
    expect(second!.report).toBeUndefined();
    expect(second!.window.reasons).toEqual([]);
    expect(second!.sampled.map((s) => s.channel)).toEqual(['temp', 'hum', 'press']); // bat: hourly
  });

  it('a node rebuilt at every boot (the device) behaves exactly like one object reused (the sim)', async () => {
    const temperature = ramp(Date.UTC(2025, 0, 1), 18, Date.UTC(2025, 0, 1, 2), 34);
    const a = makeFixture({ temperature });
    const b = makeFixture({ temperature });
    const reused = await a.run(40);
    const rebuilt = [];
    for (let i = 0; i < 40; i++) rebuilt.push(await runWakeCycle(createNode(b.wiring())));
    expect(rebuilt.map((r) => r.report?.pack)).toEqual(reused.map((r) => r.report?.pack));
    expect(rebuilt.map((r) => r.next)).toEqual(reused.map((r) => r.next));
    expect(reused.some((r) => r.alarms.length > 0)).toBe(true);
  });

  it('reports a change beyond the deadband and a heartbeat after an hour of silence', async () => {
    const start = Date.UTC(2025, 0, 1);
    const fx = makeFixture({ temperature: steps([[start, 20], [start + 20 * MIN, 21]]) });
    const results = await fx.run(20);
    const temp = results.flatMap((r) => r.readings.filter((x) => x.name === 'temp').map((x) => [(r.nowMs - start) / MIN, x.kind, Math.round(x.value * 100) / 100]));
    // median of 3: the step at 20 min shows once two of the last three samples are above it (25 min).
    expect(temp).toEqual([[0, 'report', 20], [25, 'report', 21], [85, 'heartbeat', 21]]);
    const hb = results.find((r) => r.readings.some((x) => x.kind === 'heartbeat'))!;
    expect(hb.window.reasons).toContain('heartbeat');
  });

  it('a power cut (retained lost) restarts the state but never reuses a sequence number', async () => {
    const fx = makeFixture();
    const before = await fx.run(3);
    const lastSeq = before[0]!.report!.lastSeq;
    fx.retained.powerCut();
    fx.power.powerCut();
    const [after] = await fx.run(1);
    expect(after!.boot.coldStart).toBe('no-record');
    expect(after!.report!.firstSeq).toBeGreaterThan(lastSeq);
  });

  it('the retained record stays small and failing to save it is logged, then the next wake is cold', async () => {
    const fx = makeFixture({ retainedCapacity: 64 });
    const [first, second] = await fx.run(2);
    expect(first!.retainedBytes).toBeGreaterThan(64);
    expect(fx.log.codes()).toContain('RETAINED_SAVE_FAILED');
    expect(second!.boot.coldStart).toBe('no-record');
    const roomy = makeFixture();
    const [r] = await roomy.run(1);
    expect(r!.retainedBytes).toBeLessThan(1024);
  });
});

describe('runWakeCycle: local rules', () => {
  it('an alarm (debounced) forces a radio window in the same cycle, even during a retry backoff', async () => {
    const start = Date.UTC(2025, 0, 1);
    const uplink = fakeUplink();
    const fx = makeFixture({ uplink, temperature: steps([[start, 25], [start + 10 * MIN, 35]]) });
    const results = await fx.run(3);
    uplink.retryAtMs = fx.clock.wallMs() + HOUR; // broker down: back off
    const more = await fx.run(3);
    const all = [...results, ...more];
    const raised = all.find((r) => r.alarms.length > 0)!;
    expect(raised.alarms[0]).toMatchObject({ ruleId: 'temp_high', kind: 'raise', level: 'high', value: expect.closeTo(35, 2) });
    expect(raised.report!.alarm).toBe(true);
    expect(raised.window.opened).toBe(true);
    expect(raised.window.reasons[0]).toBe('alarm');
    expect(uplink.windows.some((w) => w.reasons.includes('alarm'))).toBe(true);
    const names = resolvePack(raised.report!.pack).map((x) => [x.name, x.value ?? x.boolValue]);
    expect(names).toContainEqual(['temp_high', true]);
    expect(names).toContainEqual(['temp', 35]); // the value that completed the streak goes along
  });

  it('without an alarm, a backoff defers the window and says until when', async () => {
    const uplink = fakeUplink();
    const fx = makeFixture({ uplink });
    uplink.retryAtMs = fx.clock.wallMs() + 10 * MIN;
    const [r] = await fx.run(1);
    expect(r!.window).toMatchObject({ opened: false, skipped: 'backoff', retryAtMs: uplink.retryAtMs });
    expect(uplink.enqueued).toHaveLength(1);
    expect(r!.report).toBe(uplink.enqueued[0]);
  });
});

describe('runWakeCycle: uplink and update steps', () => {
  it('enqueues the pack, opens the window with the device status and checks in', async () => {
    const uplink = fakeUplink();
    const fx = makeFixture({ uplink });
    const [first, second] = await fx.run(2);
    expect(uplink.enqueued.map((r) => r.firstSeq)).toEqual([0]);
    expect(uplink.windows[0]).toMatchObject({
      reasons: ['report', 'check-in'], checkIn: true,
      status: { firmwareVersion: '0.0.0', slot: 0, bootState: 'valid', batteryVolts: 3.9, configVersion: 1 },
    });
    expect(uplink.windows[0]!.deadlineMs - uplink.windows[0]!.nowMs).toBe(30_000);
    expect(first!.window.opened).toBe(true);
    expect(second!.window.opened).toBe(false);
  });

  it('adopts a remote config from the check-in (stored in kv, used at the next boot) and refuses a bad one', async () => {
    const uplink = fakeUplink();
    const fx = makeFixture({ uplink });
    const remote = { ...JSON.parse(JSON.stringify(DEFAULT_NODE_CONFIG)), version: 2 };
    remote.channels[0].samplePeriodMs = 2 * MIN;
    uplink.answer = { brokerReached: true, published: 1, checkIn: { serverTimeMs: 0, config: remote } };
    const [r] = await fx.run(1);
    expect(r!.window.config).toEqual({ adopted: 2 });
    expect(fx.node.config.version).toBe(2);
    expect(r!.next.sleepMs).toBe(2 * MIN);
    expect(createNode(fx.wiring()).config).toEqual(validateNodeConfig(remote));
    expect(fx.kv.get(KV_CONFIG)).toBeDefined();

    uplink.answer = { brokerReached: true, published: 0, checkIn: { serverTimeMs: 0, config: { ...remote, version: 3, maxSleepMs: 'soon' } } };
    fx.clock.advance(7 * HOUR); // check-in due again
    const [bad] = await fx.run(1);
    expect(bad!.window.config).toMatchObject({ refused: expect.stringContaining('maxSleepMs') });
    expect(fx.node.config.version).toBe(2);
  });

  it('a failed window is logged, the check-in retried later, nothing is lost from the outbox', async () => {
    const uplink = fakeUplink();
    uplink.openWindow = async () => { throw new Error('wifi gone'); };
    const fx = makeFixture({ uplink });
    const [r] = await fx.run(1);
    expect(r!.window).toMatchObject({ opened: true, error: 'wifi gone' });
    expect(fx.log.codes()).toContain('WINDOW_FAILED');
    expect(uplink.enqueued).toHaveLength(1);
  });

  it('calls the update step: onBoot every wake, health evidence, the offer, and acknowledges a reported outcome', async () => {
    const calls: string[] = [];
    let outcome: ReturnType<UpdateStep['pendingOutcome']> = { kind: 'succeeded', version: '1.1.0' };
    const update: UpdateStep = {
      onBoot: () => { calls.push('boot'); },
      recordHealth: (e) => { calls.push(`health:${e.sensorsRead}:${e.brokerReached}:${e.checkInAnswered}`); },
      handleOffer: async (offer) => { calls.push(`offer:${offer.downloadPath}`); },
      pendingOutcome: () => outcome,
      acknowledgeOutcome: () => { calls.push('ack'); outcome = undefined; },
      wantsWindow: () => false,
      isPendingVerify: () => false,
      snapshot: () => Uint8Array.of(9),
      restore: (b) => { calls.push(`restore:${b[0]}`); },
    };
    const uplink = fakeUplink({ brokerReached: true, published: 1, checkIn: { serverTimeMs: 0, update: { manifest: Uint8Array.of(1), downloadPath: '/fw/1' } } });
    const fx = makeFixture({ uplink, update });
    await fx.run(2);
    expect(uplink.windows[0]!.status.updateOutcome).toEqual({ kind: 'succeeded', version: '1.1.0' });
    expect(calls).toEqual(['boot', 'ack', 'health:true:true:true', 'offer:/fw/1', 'restore:9', 'boot', 'health:true:false:false']);
  });
});

describe('runWakeCycle: faults and power', () => {
  it('a sensor bus error is logged and costs only that sensor; the node does not spin', async () => {
    const fx = makeFixture({ faults: { busError: () => true } });
    const [r] = await fx.run(1);
    expect(r!.sampled).toContainEqual({ channel: 'temp', sensor: 'sht3x', error: 'bus-error' });
    expect(r!.sampled).toContainEqual({ channel: 'hum', sensor: 'sht3x', error: 'bus-error' });
    expect(fx.log.codes().filter((c) => c === 'SENSOR_ERROR')).toHaveLength(2); // sht3x and bmp280, once each
    expect(r!.readings.map((x) => x.name)).toEqual(['bat']);
    expect(r!.next.sleepMs).toBeGreaterThan(0);
  });

  it('a missing field (CRC failure) skips only that channel', async () => {
    const fx = makeFixture({ faults: { crcError: (_t, field) => field === 'humidity' } });
    const [r] = await fx.run(1);
    expect(r!.sampled).toContainEqual({ channel: 'hum', sensor: 'sht3x', error: 'missing' });
    expect(r!.readings.map((x) => x.name)).toEqual(['temp', 'press', 'bat']);
  });

  it('an unset wall clock: nothing sampled, a check-in asked for, a short sleep', async () => {
    const fx = makeFixture({ wallMs: 5_000 });
    const [r] = await fx.run(1);
    expect(r!.boot.clockUnset).toBe(true);
    expect(r!.sampled).toEqual([]);
    expect(r!.window.reasons).toEqual(['check-in']);
    expect(r!.next).toMatchObject({ sleepMs: 5 * MIN, reasons: ['clock-unset'] });
    expect(fx.log.codes()).toContain('CLOCK_UNSET');
  });

  it('a low battery stretches the sleep and raises the battery alarm', async () => {
    const fx = makeFixture({ volts: 3.3 });
    const [r] = await fx.run(1);
    expect(r!.next.stretched).toBe(true);
    expect(r!.next.sleepMs).toBe(15 * MIN);
    expect(r!.alarms.map((a) => a.ruleId)).toEqual(['bat_low']);
  });

  it('sleep: false leaves deepSleep to the caller', async () => {
    const fx = makeFixture();
    await runWakeCycle(fx.node, { sleep: false });
    expect(fx.power.sleeps).toEqual([]);
  });
});

describe('runWakeCycle: aggregate channels', () => {
  it('sends one summary per window instead of every reading', async () => {
    const config = JSON.parse(JSON.stringify(DEFAULT_NODE_CONFIG));
    delete config.channels[1].report;
    config.channels[1].aggregate = { periodMs: 15 * MIN, stats: ['min', 'max', 'mean'] };
    const start = Date.UTC(2025, 0, 1);
    const fx = makeFixture({ config, humidity: (t) => 40 + ((t - start) / MIN) / 5 });
    const results = await fx.run(8);
    const hum = results.flatMap((r) => r.readings.filter((x) => x.name.startsWith('hum')).map((x) => [(r.nowMs - start) / MIN, x.name, x.value, (x.timeMs - start) / MIN]));
    expect(hum).toEqual([
      [15, 'hum_min', expect.closeTo(40, 2), 0], [15, 'hum_max', expect.closeTo(42, 2), 0], [15, 'hum_mean', expect.closeTo(41, 2), 0],
      [30, 'hum_min', expect.closeTo(43, 2), 15], [30, 'hum_max', expect.closeTo(45, 2), 15], [30, 'hum_mean', expect.closeTo(44, 2), 15],
    ]);
    const pack = resolvePack(results[3]!.report!.pack);
    expect(pack.filter((x) => x.name.includes('hum')).map((x) => [x.name, x.unit])).toEqual([['hum_min', '%RH'], ['hum_max', '%RH'], ['hum_mean', '%RH']]);
  });
});

describe('runWakeCycle: constant input', () => {
  it('keeps a steady rhythm of 5-minute wakes and hourly battery samples', async () => {
    const fx = makeFixture({ temperature: constant(22) });
    const results = await fx.run(14);
    expect(new Set(results.map((r) => r.next.sleepMs))).toEqual(new Set([5 * MIN]));
    expect(results.filter((r) => r.sampled.some((s) => s.channel === 'bat')).map((r) => r.cycle)).toEqual([0, 12]);
  });
});

describe('runWakeCycle: alarms across a power cut', () => {
  it('an alarm raised before a power cut is cleared after it (rule states also live in kv)', async () => {
    const start = Date.UTC(2025, 0, 1);
    const fx = makeFixture({ temperature: steps([[start, 35], [start + 30 * MIN, 22]]) });
    const before = await fx.run(4);
    expect(before.flatMap((r) => r.alarms.map((a) => a.kind))).toEqual(['raise']);
    fx.retained.powerCut();
    fx.power.powerCut();
    const after = await fx.run(6);
    expect(after[0]!.boot.coldStart).toBe('no-record');
    expect(after.flatMap((r) => r.alarms.map((a) => [a.ruleId, a.kind]))).toEqual([['temp_high', 'clear']]);
  });

  it('a corrupt alarm record in kv is logged and ignored', async () => {
    const fx = makeFixture();
    fx.kv.set('node.alarms', Uint8Array.of(0x7b));
    const [r] = await fx.run(1);
    expect(r!.boot.coldStart).toBe('no-record');
    expect(fx.log.codes()).toContain('ALARMS_RESET');
  });
});

describe('runWakeCycle: a failing step does not stop the cycle', () => {
  it('an enqueue or onBoot that throws is logged; the state is still saved and the node sleeps', async () => {
    const uplink = fakeUplink();
    uplink.enqueue = () => { throw new Error('store broken'); };
    const update: UpdateStep = {
      onBoot: () => { throw new Error('otadata unreadable'); },
      recordHealth: () => undefined, handleOffer: async () => undefined, pendingOutcome: () => undefined,
      acknowledgeOutcome: () => undefined, wantsWindow: () => false, isPendingVerify: () => false, snapshot: () => new Uint8Array(0), restore: () => undefined,
    };
    const fx = makeFixture({ uplink, update });
    const [r, next] = await fx.run(2);
    expect(r!.report).toBeDefined();
    expect(fx.log.codes()).toEqual(expect.arrayContaining(['ENQUEUE_FAILED', 'UPDATE_FAILED']));
    expect(fx.power.sleeps).toHaveLength(2);
    expect(next!.boot.coldStart).toBeUndefined();
  });
});
