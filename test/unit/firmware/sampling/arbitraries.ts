import fc from 'fast-check';
import type { FilterSpec } from '../../../../firmware/sampling/filters/registry.js';

/** Filter specs with small windows, so traces wrap their windows often. */
export const filterSpecArb: fc.Arbitrary<FilterSpec> = fc.oneof(
  fc.record({ type: fc.constant('linear' as const), slope: fc.double({ min: -10, max: 10, noNaN: true }), offset: fc.double({ min: -100, max: 100, noNaN: true }) }),
  fc.record({ type: fc.constant('clamp' as const), min: fc.constant(-500), max: fc.constant(500), mode: fc.constantFrom('saturate' as const, 'drop' as const) }),
  fc.record({ type: fc.constant('median' as const), window: fc.integer({ min: 1, max: 7 }), every: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ type: fc.constant('mean' as const), window: fc.integer({ min: 1, max: 7 }), every: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ type: fc.constant('ema' as const), alpha: fc.double({ min: 0.01, max: 1, noNaN: true }), every: fc.integer({ min: 1, max: 3 }) }),
);


import type { AggregateSpec } from '../../../../firmware/sampling/aggregate.js';
import type { ChannelSpec } from '../../../../firmware/sampling/channel.js';
import type { LeafPolicySpec, PartPolicySpec, ReportPolicySpec } from '../../../../firmware/sampling/policy/registry.js';

const leafPolicyArb: fc.Arbitrary<LeafPolicySpec> = fc.oneof(
  fc.record({ type: fc.constant('deadband' as const), abs: fc.constantFrom(0, 0.5, 1, 5) }),
  fc.record({ type: fc.constant('deadband' as const), rel: fc.constantFrom(0, 0.01, 0.1) }),
  fc.record({ type: fc.constant('throttle' as const), minIntervalMs: fc.constantFrom(0, 10_000, 60_000) }),
  fc.record({ type: fc.constant('heartbeat' as const), maxSilenceMs: fc.constantFrom(30_000, 120_000, 600_000) }),
);

const partPolicyArb: fc.Arbitrary<PartPolicySpec> = fc.letrec<{ part: PartPolicySpec }>((tie) => ({
  part: fc.oneof(
    { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
    leafPolicyArb,
    fc.record({ type: fc.constantFrom('anyOf' as const, 'allOf' as const), of: fc.array(tie('part'), { minLength: 1, maxLength: 3 }) }),
  ),
})).part;

export const policySpecArb: fc.Arbitrary<ReportPolicySpec> = fc.oneof(
  fc.constant({ type: 'always' as const }),
  partPolicyArb,
);

export const aggregateSpecArb: fc.Arbitrary<AggregateSpec> = fc.record({
  periodMs: fc.constantFrom(60_000, 300_000, 3_600_000),
  stats: fc.subarray(['min', 'max', 'mean', 'count'] as const, { minLength: 1 }),
});

export const channelSpecArb: fc.Arbitrary<ChannelSpec> = fc.oneof(
  fc.record({ name: fc.constant('t'), filters: fc.array(filterSpecArb, { maxLength: 3 }), report: policySpecArb }),
  fc.record({ name: fc.constant('t'), filters: fc.array(filterSpecArb, { maxLength: 3 }), aggregate: aggregateSpecArb }),
);

/** One step of a trace: a sample after dtMs, or a poll (a wake without a sample). */
export type TraceStep = { dtMs: number; value: number; poll: boolean; sleepBefore: boolean };

export const traceArb: fc.Arbitrary<TraceStep[]> = fc.array(
  fc.record({
    dtMs: fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 0, max: 4_000_000 })),
    value: fc.oneof(
      { weight: 8, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }) },
      { weight: 4, arbitrary: fc.integer({ min: 18, max: 24 }) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -0) },
    ),
    poll: fc.boolean(),
    sleepBefore: fc.boolean(),
  }),
  { minLength: 1, maxLength: 60 },
);
