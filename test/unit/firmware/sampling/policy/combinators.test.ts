import { describe, expect, it } from 'vitest';
import { AllOfPolicy, AnyOfPolicy } from '../../../../../firmware/sampling/policy/combinators.js';
import { DeadbandPolicy } from '../../../../../firmware/sampling/policy/deadband.js';
import { HeartbeatPolicy } from '../../../../../firmware/sampling/policy/heartbeat.js';
import { createReportPolicy } from '../../../../../firmware/sampling/policy/registry.js';
import { ThrottlePolicy } from '../../../../../firmware/sampling/policy/throttle.js';
import { expectCode } from '../trace.js';
import { expectPolicyTrace } from './trace.js';

const usual = {
  type: 'anyOf',
  of: [
    { type: 'allOf', of: [{ type: 'deadband', abs: 1 }, { type: 'throttle', minIntervalMs: 10_000 }] },
    { type: 'heartbeat', maxSilenceMs: 60_000 },
  ],
};

describe('anyOf / allOf', () => {
  it('the usual composition: (deadband AND throttle) OR heartbeat', () => {
    // t(ms)    v      decide  why
    // 0        20     yes     first value
    // 5000     25     no      changed 5 > 1, but only 5 s since the last report
    // 10000    25     yes     changed 5, 10 s elapsed            last (25, 10 000)
    // 15000    25.5   no      0.5 <= 1
    // 20000    26     no      exactly 1: not beyond
    // 30000    26.5   yes     1.5 > 1, throttle ok               last (26.5, 30 000)
    // 89999    26.5   no      heartbeat due at 90 000
    // 90000    26.5   yes     heartbeat                          last (26.5, 90 000)
    // 100000   26.5   no
    const p = createReportPolicy(usual);
    expectPolicyTrace(p, [
      [0, 20, true],
      [5000, 25, false],
      [10_000, 25, true],
      [15_000, 25.5, false],
      [20_000, 26, false],
      [30_000, 26.5, true],
      [89_999, 26.5, false],
      [90_000, 26.5, true],
      [100_000, 26.5, false],
    ]);
    expect(p.nextDueMs()).toBe(150_000);
  });

  it('nextDueMs: anyOf takes the earliest part that has one, allOf the latest if all have one', () => {
    const hb = () => new HeartbeatPolicy({ type: 'heartbeat', maxSilenceMs: 100 });
    const th = () => new ThrottlePolicy({ type: 'throttle', minIntervalMs: 40 });
    const db = () => new DeadbandPolicy({ type: 'deadband', abs: 1 });
    const cases: [AnyOfPolicy | AllOfPolicy, number | undefined][] = [
      [new AnyOfPolicy([hb(), th()]), 1040],
      [new AllOfPolicy([hb(), th()]), 1100],
      [new AnyOfPolicy([db(), hb()]), 1100],
      [new AllOfPolicy([db(), th()]), undefined],
      [new AnyOfPolicy([db()]), undefined],
    ];
    for (const [p, due] of cases) {
      expect(p.nextDueMs()).toBeUndefined(); // nothing reported yet
      p.reported(0, 1000);
      expect(p.nextDueMs()).toBe(due);
    }
  });

  it('snapshot nests the parts; restore is all or nothing', () => {
    const p = createReportPolicy(usual);
    p.reported(21.5, 1000);
    expect(p.snapshot()).toEqual([[[21.5], [1000]], [1000]]);
    const q = createReportPolicy(usual);
    q.restore(p.snapshot());
    expect(q.snapshot()).toEqual(p.snapshot());
    // second part bad: the first part must not keep the new value
    expectCode(() => q.restore([[[99], [5]], ['bad']] as never), 'ERR_STATE_CORRUPT');
    expect(q.snapshot()).toEqual([[[21.5], [1000]], [1000]]);
    expectCode(() => q.restore([[[21.5], [1000]]]), 'ERR_STATE_CORRUPT');
    expectCode(() => q.restore([1, 2] as never), 'ERR_STATE_CORRUPT');
  });
});
