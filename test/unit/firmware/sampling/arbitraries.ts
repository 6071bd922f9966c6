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

