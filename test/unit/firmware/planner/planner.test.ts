import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePlannerSpec, planWake, type PlannerInput, type PlannerSpec, type WakePlan } from '../../../../firmware/planner/planner.js';
import { expectCode } from '../sampling/trace.js';

const NOW = 1_000_000;
const config: PlannerSpec = { maxSleepMs: 3_600_000, alignMs: 10_000, lowBatteryVolts: 3.3, stretch: 2 };

const base: PlannerInput = {
  nowMs: NOW,
  samples: [
    { channel: 'temperature', dueMs: 1_060_000, periodMs: 60_000 },
    { channel: 'humidity', dueMs: 1_065_000, periodMs: 60_000 },
    { channel: 'pressure', dueMs: 1_120_000, periodMs: 300_000 },
  ],
  reports: [{ channel: 'temperature', dueMs: 1_062_000, periodMs: 600_000 }],
  checkIn: { periodMs: 3_600_000, lastMs: 0 },
  batteryVolts: 3.9,
  config,
};

const tasks = (plan: WakePlan): string[] => plan.dueTasks.map((t) => `${t.kind}${t.channel === undefined ? '' : `:${t.channel}`}@${t.dueMs}`);

describe('planWake: hand-computed plans', () => {
  it('wakes at the earliest due and batches early-able work within alignMs', () => {
    // earliest: temperature sample 1 060 000 -> sleep 60 s. humidity (1 065 000) is within
    // 10 s and a sample may run early: batched. The heartbeat (1 062 000) must not run early:
    // it waits for its own wake. pressure and check-in are far.
    const plan = planWake(base);
    expect(plan).toMatchObject({ wakeAtMs: 1_060_000, sleepMs: 60_000, radioDue: false, radioReasons: [], stretched: false });
    expect(tasks(plan)).toEqual(['sample:temperature@1060000', 'sample:humidity@1065000']);
    expect(plan.reasons).toEqual(['due', 'batched']);
  });

  it('on low battery stretches periodic dues and the batching window', () => {
    // stretch 2: due + period * (2 - 1)
    //   temperature 1 060 000 + 60 000  = 1 120 000
    //   humidity    1 065 000 + 60 000  = 1 125 000   (within 20 s: batched)
    //   heartbeat   1 062 000 + 600 000 = 1 662 000
    //   pressure    1 120 000 + 300 000 = 1 420 000
    //   check-in    0 + 3 600 000 * 2   = 7 200 000
    const plan = planWake({ ...base, batteryVolts: 3.2 });
    expect(plan).toMatchObject({ wakeAtMs: 1_120_000, sleepMs: 120_000, stretched: true });
    expect(tasks(plan)).toEqual(['sample:temperature@1120000', 'sample:humidity@1125000']);
    expect(plan.reasons).toEqual(['due', 'batched', 'battery-low']);
  });

  it('an alarm means radio now, never stretched, with only what is already due', () => {
    const plan = planWake({ ...base, batteryVolts: 3.0, alarmPending: true, samples: [...base.samples, { channel: 'late', dueMs: NOW - 5 }] });
    expect(plan).toMatchObject({ wakeAtMs: NOW, sleepMs: 0, radioDue: true, radioReasons: ['alarm'] });
    expect(tasks(plan)).toEqual([`sample:late@${NOW - 5}`]);
    expect(plan.reasons[0]).toBe('alarm');
  });

  it('overdue work means now', () => {
    const plan = planWake({ ...base, samples: [{ channel: 'temperature', dueMs: 900_000, periodMs: 60_000 }] });
    expect(plan).toMatchObject({ wakeAtMs: NOW, sleepMs: 0 });
    expect(plan.reasons[0]).toBe('overdue');
  });

  it('never past the maximum sleep; nothing to do sleeps the maximum', () => {
    const far = planWake({ nowMs: NOW, samples: [], checkIn: { periodMs: 7_200_000, lastMs: NOW }, config });
    expect(far).toMatchObject({ wakeAtMs: NOW + 3_600_000, dueTasks: [], radioDue: false, reasons: ['max-sleep'] });
    const idle = planWake({ nowMs: NOW, samples: [], config });
    expect(idle).toMatchObject({ wakeAtMs: NOW + 3_600_000, dueTasks: [], reasons: ['idle', 'max-sleep'] });
  });

  it('a check-in that never happened is due now, with the radio', () => {
    const plan = planWake({ nowMs: NOW, samples: [{ channel: 't', dueMs: NOW + 5000, periodMs: 60_000 }], checkIn: { periodMs: 3_600_000 }, config });
    expect(plan).toMatchObject({ wakeAtMs: NOW, radioDue: true, radioReasons: ['check-in'] });
    expect(tasks(plan)).toEqual([`check-in@${NOW}`, `sample:t@${NOW + 5000}`]); // sample 5 s early
  });

  it('retry backoff is never run early, but early-able work joins it', () => {
    const a = planWake({ nowMs: NOW, samples: [{ channel: 't', dueMs: 1_035_000 }], retryAtMs: 1_030_000, config });
    expect(a).toMatchObject({ wakeAtMs: 1_030_000, radioDue: true, radioReasons: ['retry'] });
    expect(tasks(a)).toEqual(['retry@1030000', 'sample:t@1035000']);
    const b = planWake({ nowMs: NOW, samples: [{ channel: 't', dueMs: 1_030_000 }], retryAtMs: 1_035_000, config });
    expect(b).toMatchObject({ wakeAtMs: 1_030_000, radioDue: false });
    expect(tasks(b)).toEqual(['sample:t@1030000']);
  });

  it('heartbeat and aggregate dues open the radio when they are due at the wake', () => {
    const plan = planWake({
      nowMs: NOW,
      samples: [{ channel: 't', dueMs: 1_060_000, periodMs: 60_000 }],
      reports: [
        { channel: 't', dueMs: 1_060_000, periodMs: 600_000 },
        { channel: 'p', dueMs: 1_060_000, kind: 'aggregate', periodMs: 3_600_000 },
      ],
      config,
    });
    expect(tasks(plan)).toEqual(['sample:t@1060000', 'heartbeat:t@1060000', 'aggregate:p@1060000']);
    expect(plan.radioReasons).toEqual(['heartbeat', 'report']);
  });

  it('alignMs 0 batches only equal dues', () => {
    const plan = planWake({ ...base, config: { ...config, alignMs: 0 } });
    expect(tasks(plan)).toEqual(['sample:temperature@1060000']);
  });

  it('refuses bad config and non-finite input', () => {
    expectCode(() => parsePlannerSpec({ maxSleepMs: 0 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parsePlannerSpec({ maxSleepMs: 60_000, alignMs: 60_001 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parsePlannerSpec({ maxSleepMs: 60_000, stretch: 0.5 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parsePlannerSpec({ maxSleepMs: 8 * 24 * 3600 * 1000 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parsePlannerSpec({ maxSleepMs: 60_000, sleep: 1 }), 'ERR_CONFIG_INVALID');
    expectCode(() => planWake({ ...base, nowMs: NaN }), 'ERR_CONFIG_INVALID');
    expectCode(() => planWake({ ...base, samples: [{ channel: 't', dueMs: Infinity }] }), 'ERR_CONFIG_INVALID');
    expectCode(() => planWake({ ...base, samples: [{ channel: 't', dueMs: NOW, periodMs: -1 }] }), 'ERR_CONFIG_INVALID');
    expect(parsePlannerSpec({ maxSleepMs: 60_000 })).toEqual({ maxSleepMs: 60_000, alignMs: 0, lowBatteryVolts: 0, stretch: 2 });
  });
});

// ---- properties ----

const T = 1_700_000_000_000;
const dueArb = fc.record({ offset: fc.integer({ min: -600_000, max: 20_000_000 }), periodMs: fc.option(fc.integer({ min: 1000, max: 10_000_000 }), { nil: undefined }) });
const configArb = fc
  .record({
    maxSleepMs: fc.integer({ min: 1000, max: 7 * 24 * 3_600_000 }),
    alignFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    lowBatteryVolts: fc.constantFrom(0, 3.3, 3.6),
    stretch: fc.double({ min: 1, max: 10, noNaN: true }),
  })
  .map(({ alignFraction, ...c }) => ({ ...c, alignMs: Math.floor(c.maxSleepMs * alignFraction * 0.1) }));

const inputArb: fc.Arbitrary<PlannerInput> = fc
  .record({
    now: fc.integer({ min: 0, max: 100_000_000 }),
    samples: fc.array(dueArb, { maxLength: 5 }),
    reports: fc.array(fc.tuple(dueArb, fc.constantFrom('heartbeat' as const, 'aggregate' as const)), { maxLength: 3 }),
    checkIn: fc.option(fc.record({ periodMs: fc.integer({ min: 60_000, max: 86_400_000 }), lastAgo: fc.option(fc.integer({ min: 0, max: 90_000_000 }), { nil: undefined }) }), { nil: undefined }),
    retryIn: fc.option(fc.integer({ min: -10_000, max: 5_000_000 }), { nil: undefined }),
    alarmPending: fc.boolean(),
    batteryVolts: fc.option(fc.double({ min: 2.8, max: 4.2, noNaN: true }), { nil: undefined }),
    config: configArb,
  })
  .map((r) => {
    const nowMs = T + r.now;
    const input: PlannerInput = {
      nowMs,
      samples: r.samples.map((d, i) => ({ channel: `c${i}`, dueMs: nowMs + d.offset, ...(d.periodMs === undefined ? {} : { periodMs: d.periodMs }) })),
      reports: r.reports.map(([d, kind], i) => ({ channel: `c${i}`, kind, dueMs: nowMs + d.offset, ...(d.periodMs === undefined ? {} : { periodMs: d.periodMs }) })),
      ...(r.checkIn === undefined ? {} : { checkIn: { periodMs: r.checkIn.periodMs, ...(r.checkIn.lastAgo === undefined ? {} : { lastMs: nowMs - r.checkIn.lastAgo }) } }),
      ...(r.retryIn === undefined ? {} : { retryAtMs: nowMs + r.retryIn }),
      alarmPending: r.alarmPending,
      ...(r.batteryVolts === undefined ? {} : { batteryVolts: r.batteryVolts }),
      config: r.config,
    };
    return input;
  });

/** Runs the planner over a horizon; a task restarts its period at the wake that ran it. */
function countWakes(periods: readonly number[], kinds: readonly string[], cfg: PlannerSpec, volts: number, horizon: number): number {
  let now = T;
  const last = periods.map(() => T);
  let wakes = 0;
  for (;;) {
    const due = periods.map((p, i) => ({ channel: `c${i}`, dueMs: last[i]! + p, periodMs: p }));
    const plan = planWake({
      nowMs: now,
      samples: due.filter((_, i) => kinds[i] === 'sample'),
      reports: due.filter((_, i) => kinds[i] === 'report'),
      batteryVolts: volts,
      config: cfg,
    });
    if (plan.wakeAtMs > T + horizon) return wakes;
    now = plan.wakeAtMs;
    wakes += 1;
    for (const t of plan.dueTasks) last[Number(t.channel!.slice(1))] = now;
  }
}

describe('planWake: properties', () => {
  it('never wakes before now, never after now + maxSleepMs', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planWake(input);
        expect(plan.wakeAtMs).toBeGreaterThanOrEqual(input.nowMs);
        expect(plan.wakeAtMs).toBeLessThanOrEqual(input.nowMs + input.config.maxSleepMs);
        expect(plan.sleepMs).toBe(plan.wakeAtMs - input.nowMs);
      }),
      { numRuns: 500 },
    );
  });

  it('an alarm means radio now', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planWake({ ...input, alarmPending: true });
        expect(plan.wakeAtMs).toBe(input.nowMs);
        expect(plan.sleepMs).toBe(0);
        expect(plan.radioDue).toBe(true);
        expect(plan.radioReasons[0]).toBe('alarm');
      }),
      { numRuns: 300 },
    );
  });

  it('a stretched plan never wakes sooner than the unstretched one', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const low = planWake({ ...input, batteryVolts: 1, config: { ...input.config, lowBatteryVolts: 3 } });
        const normal = planWake({ ...input, batteryVolts: 4, config: { ...input.config, lowBatteryVolts: 3 } });
        expect(low.stretched).toBe(true);
        expect(normal.stretched).toBe(false);
        expect(low.wakeAtMs).toBeGreaterThanOrEqual(normal.wakeAtMs);
      }),
      { numRuns: 500 },
    );
  });

  it('nothing runs early except samples and check-in, by at most the (stretched) alignMs; nothing due is left out', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planWake(input);
        const align = input.alarmPending === true ? 0 : Math.min(input.config.alignMs! * (plan.stretched ? input.config.stretch! : 1), input.config.maxSleepMs);
        for (const t of plan.dueTasks) {
          if (t.kind === 'sample' || t.kind === 'check-in') expect(t.dueMs).toBeLessThanOrEqual(plan.wakeAtMs + align);
          else expect(t.dueMs).toBeLessThanOrEqual(plan.wakeAtMs);
        }
        // every task due by the wake is in it (effective due: stretched when periodic)
        const factor = plan.stretched ? input.config.stretch! : 1;
        const eff = (d: { dueMs: number; periodMs?: number }): number => d.dueMs + (d.periodMs ?? 0) * (factor - 1);
        const dues = [
          ...input.samples.map(eff),
          ...(input.reports ?? []).map(eff),
          ...(input.checkIn === undefined ? [] : [input.checkIn.lastMs === undefined ? input.nowMs : eff({ dueMs: input.checkIn.lastMs + input.checkIn.periodMs, periodMs: input.checkIn.periodMs })]),
          ...(input.retryAtMs === undefined ? [] : [input.retryAtMs]),
        ];
        expect(plan.dueTasks.length).toBeGreaterThanOrEqual(dues.filter((d) => d <= plan.wakeAtMs).length);
        const next = planWake({ ...input, nowMs: plan.wakeAtMs, alarmPending: false });
        if (plan.wakeAtMs < input.nowMs + input.config.maxSleepMs && !input.alarmPending) {
          // planning again at the wake (before running anything) finds the same work due
          expect(next.dueTasks).toEqual(plan.dueTasks);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('pinned: batching that holds at normal speed still holds when stretched', () => {
    // periods 60 s and 64 s, align 4.5 s: normally batched (one wake per 60 s). Stretched by
    // 1.25 they are 75 s and 80 s apart by 5 s; with an unstretched 4.5 s window they would
    // split into two wakes per period and a low battery would wake the node MORE often.
    const cfg: PlannerSpec = { maxSleepMs: 600_000, alignMs: 4500, lowBatteryVolts: 3.3, stretch: 1.25 };
    expect(countWakes([60_000, 64_000], ['sample', 'sample'], cfg, 3.0, 3_600_000)).toBeLessThanOrEqual(
      countWakes([60_000, 64_000], ['sample', 'sample'], cfg, 4.0, 3_600_000),
    );
  });

  it('over a run of periodic tasks, the stretched schedule has no more wakes', () => {
    // Tasks restart their period at the wake that ran them. With the batching window stretched
    // too and every stretched period within maxSleepMs, the stretched run is the normal run
    // slowed down by the factor, so it cannot wake more often.
    const runArb = fc.record({
      periods: fc.array(fc.integer({ min: 10_000, max: 600_000 }), { minLength: 1, maxLength: 5 }),
      kinds: fc.array(fc.constantFrom('sample', 'report'), { minLength: 5, maxLength: 5 }),
      alignMs: fc.integer({ min: 0, max: 30_000 }),
      stretch: fc.constantFrom(1.25, 1.5, 2, 3, 4), // exact in binary: the slowed run is exact too
    });
    fc.assert(
      fc.property(runArb, ({ periods, kinds, alignMs, stretch }) => {
        const cfg: PlannerSpec = { maxSleepMs: 4 * 600_000, alignMs, lowBatteryVolts: 3.3, stretch };
        const horizon = 20 * Math.max(...periods);
        const count = (volts: number): number => countWakes(periods, kinds, cfg, volts, horizon);
        expect(count(3.0)).toBeLessThanOrEqual(count(4.0));
      }),
      { numRuns: 100 },
    );
  });
});
