/**
 * Throttle: at least `minIntervalMs` between reports (ESPHome `throttle`). The first value
 * always passes. Alone it reports every value that arrives after the interval; it is meant to
 * be combined: allOf(deadband, throttle). State: [] before the first report, [lastMs] after.
 *
 * Spec: `{ type: 'throttle', minIntervalMs: number >= 0 }`.
 */
import { IntervalPolicy } from './interval.js';
import { aObject, requiredNumber } from '../validate.js';

export interface ThrottleSpec {
  readonly type: 'throttle';
  readonly minIntervalMs: number;
}

export function parseThrottleSpec(raw: unknown, path = 'report'): ThrottleSpec {
  const obj = aObject(raw, path, ['type', 'minIntervalMs']);
  return { type: 'throttle', minIntervalMs: requiredNumber(obj, 'minIntervalMs', path, { min: 0 }) };
}

export class ThrottlePolicy extends IntervalPolicy {
  readonly type = 'throttle';
  readonly minIntervalMs: number;

  constructor(spec: ThrottleSpec, path = 'report') {
    const { minIntervalMs } = parseThrottleSpec(spec, path);
    super(minIntervalMs);
    this.minIntervalMs = minIntervalMs;
  }
}
