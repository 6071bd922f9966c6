import { describe, expect, it } from 'vitest';
import { parseThrottleSpec, ThrottlePolicy } from '../../../../../firmware/sampling/policy/throttle.js';
import { expectCode } from '../trace.js';
import { expectPolicyTrace } from './trace.js';

describe('ThrottlePolicy', () => {
  it('at least minIntervalMs between reports', () => {
    // min 1000:  t=0 first yes;  999 no;  1000 yes (exactly the interval);  1500 no;  2000 yes
    const p = new ThrottlePolicy({ type: 'throttle', minIntervalMs: 1000 });
    expect(p.nextDueMs()).toBeUndefined();
    expectPolicyTrace(p, [
      [0, 1, true],
      [999, 2, false],
      [1000, 2, true],
      [1500, 3, false],
    ]);
    expect(p.nextDueMs()).toBe(2000);
    expectPolicyTrace(p, [[2000, 3, true]]);
  });

  it('a clock stepped back counts as elapsed', () => {
    const p = new ThrottlePolicy({ type: 'throttle', minIntervalMs: 1000 });
    p.reported(0, 10_000);
    expect(p.decide(0, 9_500)).toBe(true);
  });

  it('snapshot/restore and bad specs', () => {
    const p = new ThrottlePolicy({ type: 'throttle', minIntervalMs: 1000 });
    p.reported(0, 1_700_000_000_123);
    const q = new ThrottlePolicy({ type: 'throttle', minIntervalMs: 1000 });
    q.restore(p.snapshot());
    expect(q.nextDueMs()).toBe(1_700_000_001_123);
    expectCode(() => q.restore(['x' as unknown as number]), 'ERR_STATE_CORRUPT');
    expectCode(() => parseThrottleSpec({ type: 'throttle' }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseThrottleSpec({ type: 'throttle', minIntervalMs: -1 }), 'ERR_CONFIG_INVALID');
  });
});
