import { describe, expect, it } from 'vitest';
import {
  createReportPolicy,
  parseReportPolicySpec,
  POLICY_REGISTRY,
  standardReportPolicy,
} from '../../../../../firmware/sampling/policy/registry.js';
import { expectCode } from '../trace.js';
import { expectPolicyTrace } from './trace.js';

const usual = {
  type: 'anyOf',
  of: [
    { type: 'allOf', of: [{ type: 'deadband', abs: 1 }, { type: 'throttle', minIntervalMs: 10_000 }] },
    { type: 'heartbeat', maxSilenceMs: 60_000 },
  ],
};

describe('POLICY_REGISTRY', () => {
  it('is frozen and knows every policy', () => {
    expect(Object.isFrozen(POLICY_REGISTRY)).toBe(true);
    expect(Object.keys(POLICY_REGISTRY).sort()).toEqual(['allOf', 'always', 'anyOf', 'deadband', 'heartbeat', 'throttle']);
  });

  it('always reports every value and forces nothing', () => {
    const p = createReportPolicy({ type: 'always' });
    expectPolicyTrace(p, [[0, 1, true], [0, 1, true]]);
    expect(p.nextDueMs()).toBeUndefined();
  });

  it('refuses bad trees with the path of the fault', () => {
    const fault = (raw: unknown, where: string): void => {
      try {
        parseReportPolicySpec(raw);
        expect.unreachable();
      } catch (error) {
        expect((error as { code?: string }).code).toBe('ERR_CONFIG_INVALID');
        expect((error as Error).message).toContain(where);
      }
    };
    fault({ type: 'anyOf', of: [] }, 'report.of');
    fault({ type: 'anyOf', of: [{ type: 'always' }] }, 'report.of[0].type');
    fault({ type: 'allOf', of: [{ type: 'deadband', abs: 1 }, { type: 'hysteresis' }] }, 'report.of[1].type');
    fault({ type: 'anyOf', of: [{ type: 'heartbeat', maxSilenceMs: 1 }], extra: 1 }, 'report.extra');
    const deep = (n: number): unknown => (n === 0 ? { type: 'heartbeat', maxSilenceMs: 1 } : { type: 'anyOf', of: [deep(n - 1)] });
    parseReportPolicySpec(deep(4));
    fault(deep(5), 'nest');
    fault({ type: 'anyOf', of: Array(9).fill({ type: 'heartbeat', maxSilenceMs: 1 }) }, 'report.of');
  });

  it('standardReportPolicy builds the usual tree and leaves out what is not given', () => {
    expect(standardReportPolicy({ abs: 1, minIntervalMs: 10_000, maxSilenceMs: 60_000 })).toEqual(usual);
    expect(standardReportPolicy({ rel: 0.05 })).toEqual({ type: 'deadband', rel: 0.05 });
    expect(standardReportPolicy({ abs: 0.5, maxSilenceMs: 1000 })).toEqual({
      type: 'anyOf',
      of: [{ type: 'deadband', abs: 0.5 }, { type: 'heartbeat', maxSilenceMs: 1000 }],
    });
    expect(standardReportPolicy({})).toEqual({ type: 'always' });
    expectCode(() => standardReportPolicy({ abs: -1 }), 'ERR_CONFIG_INVALID');
  });
});
