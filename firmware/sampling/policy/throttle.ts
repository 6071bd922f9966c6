/**
 * Throttle: at least `minIntervalMs` between reports (ESPHome `throttle`). The first value
 * always passes. Alone it reports every value that arrives after the interval; it is meant to
 * be combined: allOf(deadband, throttle). State: [] before the first report, [lastMs] after.
 *
 * Spec: `{ type: 'throttle', minIntervalMs: number >= 0 }`.
 */
import { elapsedAtLeast, type ReportPolicy } from './policy.js';
import { aObject, aState, requiredNumber } from '../validate.js';

export interface ThrottleSpec {
  readonly type: 'throttle';
  readonly minIntervalMs: number;
}

export function parseThrottleSpec(raw: unknown, path = 'report'): ThrottleSpec {
  const obj = aObject(raw, path, ['type', 'minIntervalMs']);
  return { type: 'throttle', minIntervalMs: requiredNumber(obj, 'minIntervalMs', path, { min: 0 }) };
}

export class ThrottlePolicy implements ReportPolicy {
  readonly type = 'throttle';
  readonly minIntervalMs: number;
  #lastMs: number | undefined;

  constructor(spec: ThrottleSpec, path = 'report') {
    this.minIntervalMs = parseThrottleSpec(spec, path).minIntervalMs;
  }

  decide(_value: number, nowMs: number): boolean {
    return this.#lastMs === undefined || elapsedAtLeast(nowMs, this.#lastMs, this.minIntervalMs);
  }

  reported(_value: number, nowMs: number): void {
    this.#lastMs = nowMs;
  }

  nextDueMs(): number | undefined {
    return this.#lastMs === undefined ? undefined : this.#lastMs + this.minIntervalMs;
  }

  snapshot(): number[] {
    return this.#lastMs === undefined ? [] : [this.#lastMs];
  }

  restore(state: readonly unknown[]): void {
    this.#lastMs = aState(state, 'throttle policy', 0, 1)[0];
  }
}
