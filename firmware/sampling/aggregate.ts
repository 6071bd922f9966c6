/**
 * Windowed aggregate: min, max, mean and count of the values in one report period, so a node
 * can send one summary instead of every reading (design section 3, step 3).
 *
 * Windows are aligned to the period on the UTC epoch: [k*P, (k+1)*P). A window closes, and its
 * summary is emitted, when a value arrives outside it (the first value of a later window, or a
 * value from before its start after the clock stepped back) or when `close(nowMs)` is called at
 * or after its end (the planner wakes the node at `nextDueMs()` for that). A window without
 * values emits nothing. The summary is stamped with the window's start.
 *
 * State: [] with no open window, or [startMs, count, sum, min, max]. The sum is kept (not the
 * mean) so a restored aggregate adds up exactly like one that never slept.
 *
 * Spec: `{ periodMs: number >= 1000, stats?: ['min', 'max', 'mean', 'count'] }`.
 */
import { aObject, anArray, aOneOf, aState, configError, requiredNumber, stateError, type RestorePhase } from './validate.js';

export type AggregateStat = 'min' | 'max' | 'mean' | 'count';
export const AGGREGATE_STATS: readonly AggregateStat[] = Object.freeze(['min', 'max', 'mean', 'count'] as const);

export interface AggregateSpec {
  readonly periodMs: number;
  /** Which statistics to emit, in this canonical order: min, max, mean, count. Default all. */
  readonly stats?: readonly AggregateStat[];
}

export interface AggregateSummary {
  readonly startMs: number;
  readonly endMs: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/** Shortest period: one second (anything shorter is sampling, not aggregation). */
export const MIN_AGGREGATE_PERIOD_MS = 1000;

export function parseAggregateSpec(raw: unknown, path = 'aggregate'): AggregateSpec {
  const obj = aObject(raw, path, ['periodMs', 'stats']);
  const periodMs = requiredNumber(obj, 'periodMs', path, { integer: true, min: MIN_AGGREGATE_PERIOD_MS });
  let stats: AggregateStat[] = AGGREGATE_STATS.slice();
  if (obj['stats'] !== undefined) {
    const given = anArray(obj['stats'], `${path}.stats`, 1, AGGREGATE_STATS.length).map((s, i) =>
      aOneOf(s, `${path}.stats[${i}]`, AGGREGATE_STATS),
    );
    for (let i = 0; i < given.length; i++) {
      if (given.indexOf(given[i]!) !== i) throw configError(`${path}.stats[${i}]`, 'listed twice');
    }
    stats = AGGREGATE_STATS.filter((s) => given.indexOf(s) >= 0);
  }
  return { periodMs, stats };
}

/** Start of the window that holds timeMs (exact: % is exact on doubles). */
export function windowStart(timeMs: number, periodMs: number): number {
  let r = timeMs % periodMs;
  if (r < 0) r += periodMs;
  return timeMs - r;
}

export class WindowAggregate {
  readonly periodMs: number;
  readonly stats: readonly AggregateStat[];
  #startMs: number | undefined;
  #count = 0;
  #sum = 0;
  #min = 0;
  #max = 0;

  constructor(spec: AggregateSpec, path = 'aggregate') {
    const checked = parseAggregateSpec(spec, path);
    this.periodMs = checked.periodMs;
    this.stats = Object.freeze((checked.stats ?? AGGREGATE_STATS).slice());
  }

  /** Adds a value; returns the summary of the window this value closed, if any. */
  push(value: number, nowMs: number): AggregateSummary | undefined {
    let closed: AggregateSummary | undefined;
    if (this.#startMs !== undefined && (nowMs < this.#startMs || nowMs >= this.#startMs + this.periodMs)) {
      closed = this.#summary();
      this.#startMs = undefined;
    }
    if (this.#startMs === undefined) {
      this.#startMs = windowStart(nowMs, this.periodMs);
      this.#count = 1;
      this.#sum = value;
      this.#min = value;
      this.#max = value;
    } else {
      this.#count += 1;
      this.#sum += value;
      if (value < this.#min) this.#min = value;
      if (value > this.#max) this.#max = value;
    }
    return closed;
  }

  /** Closes the open window if nowMs is at or past its end. */
  close(nowMs: number): AggregateSummary | undefined {
    if (this.#startMs === undefined || nowMs < this.#startMs + this.periodMs) return undefined;
    const closed = this.#summary();
    this.#startMs = undefined;
    return closed;
  }

  /** End of the open window (when its summary is due), or undefined with no open window. */
  nextDueMs(): number | undefined {
    return this.#startMs === undefined ? undefined : this.#startMs + this.periodMs;
  }

  #summary(): AggregateSummary {
    const startMs = this.#startMs!;
    return { startMs, endMs: startMs + this.periodMs, count: this.#count, min: this.#min, max: this.#max, mean: this.#sum / this.#count };
  }

  snapshot(): number[] {
    return this.#startMs === undefined ? [] : [this.#startMs, this.#count, this.#sum, this.#min, this.#max];
  }

  restore(state: readonly unknown[], phase?: RestorePhase): void {
    const s = phase === 'apply' ? (state as readonly number[]) : aState(state, 'aggregate', 0, 5);
    if (s.length === 0) {
      if (phase !== 'check') this.#startMs = undefined;
      return;
    }
    const startMs = s[0]!, count = s[1]!, sum = s[2]!, min = s[3]!, max = s[4]!;
    if (phase !== 'apply') {
      if (s.length !== 5) throw stateError('aggregate: expected 0 or 5 numbers');
      if (windowStart(startMs, this.periodMs) !== startMs) throw stateError('aggregate: window start not on the period');
      if (!Number.isInteger(count) || count < 1) throw stateError('aggregate: count must be a positive integer');
      if (min > max) throw stateError('aggregate: min above max');
      if (phase === 'check') return;
    }
    this.#startMs = startMs;
    this.#count = count;
    this.#sum = sum;
    this.#min = min;
    this.#max = max;
  }
}
