import { describe, expect, it } from 'vitest';
import { HeartbeatPolicy, parseHeartbeatSpec } from '../../../../../firmware/sampling/policy/heartbeat.js';
import { expectCode } from '../trace.js';
import { expectPolicyTrace } from './trace.js';

describe('HeartbeatPolicy', () => {
  it('reports after maxSilenceMs whatever the value', () => {
    // max silence 60 s: t=0 first yes; 59 999 no; 60 000 yes; next due 120 000
    const p = new HeartbeatPolicy({ type: 'heartbeat', maxSilenceMs: 60_000 });
    expectPolicyTrace(p, [
      [0, 5, true],
      [59_999, 99, false],
      [60_000, 5, true],
    ]);
    expect(p.nextDueMs()).toBe(120_000);
  });

  it('any report restarts the silence', () => {
    const p = new HeartbeatPolicy({ type: 'heartbeat', maxSilenceMs: 60_000 });
    p.reported(1, 0);
    p.reported(2, 30_000); // a change report, made by another part of the policy
    expect(p.decide(2, 60_000)).toBe(false);
    expect(p.nextDueMs()).toBe(90_000);
  });

  it('a clock stepped back by years does not silence it', () => {
    const p = new HeartbeatPolicy({ type: 'heartbeat', maxSilenceMs: 60_000 });
    p.reported(1, Date.UTC(2030, 0, 1));
    expect(p.decide(1, Date.UTC(2025, 0, 1))).toBe(true);
  });

  it('needs a positive maxSilenceMs; restores', () => {
    expectCode(() => parseHeartbeatSpec({ type: 'heartbeat', maxSilenceMs: 0 }), 'ERR_CONFIG_INVALID');
    const p = new HeartbeatPolicy({ type: 'heartbeat', maxSilenceMs: 10 });
    p.restore([5]);
    expect(p.nextDueMs()).toBe(15);
    p.restore([]);
    expect(p.nextDueMs()).toBeUndefined();
  });
});
