import { expect } from 'vitest';
import type { ReportPolicy } from '../../../../../firmware/sampling/policy/policy.js';

/**
 * Runs [timeMs, value, expected decide] rows; when decide is true the value is reported, as a
 * channel does.
 */
export function expectPolicyTrace(policy: ReportPolicy, rows: readonly (readonly [number, number, boolean])[]): void {
  for (const [t, v, expected] of rows) {
    expect(policy.decide(v, t), `t=${t} v=${v}`).toBe(expected);
    if (expected) policy.reported(v, t);
  }
}
