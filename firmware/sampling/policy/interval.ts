/**
 * What throttle and heartbeat share: the time of the last report and one interval from it.
 * decide() is true before the first report and once the interval has elapsed (a last report in
 * the future, after a clock step back, counts as elapsed: policy.ts); nextDueMs is the last
 * report plus the interval. State: [] before the first report, [lastMs] after.
 */
import { elapsedAtLeast, type PolicyType, type ReportPolicy } from './policy.js';
import { aState, type RestorePhase } from '../validate.js';

export abstract class IntervalPolicy implements ReportPolicy {
  abstract readonly type: PolicyType;
  readonly #intervalMs: number;
  #lastMs: number | undefined;

  protected constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  decide(_value: number, nowMs: number): boolean {
    return this.#lastMs === undefined || elapsedAtLeast(nowMs, this.#lastMs, this.#intervalMs);
  }

  reported(_value: number, nowMs: number): void {
    this.#lastMs = nowMs;
  }

  nextDueMs(): number | undefined {
    return this.#lastMs === undefined ? undefined : this.#lastMs + this.#intervalMs;
  }

  snapshot(): number[] {
    return this.#lastMs === undefined ? [] : [this.#lastMs];
  }

  restore(state: readonly unknown[], phase?: RestorePhase): void {
    if (phase !== 'apply') {
      aState(state, this.type === 'heartbeat' ? 'heartbeat policy' : 'throttle policy', 0, 1);
      if (phase === 'check') return;
    }
    this.#lastMs = state[0] as number | undefined;
  }
}
