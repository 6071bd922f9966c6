/**
 * Sliding-window mean of the last N values (ESPHome `sliding_window_moving_average`). Until
 * the window is full the mean is over the values seen so far. The sum is recomputed from the
 * window, oldest first, on every emit instead of kept as a running total: a running total
 * drifts by rounding and would make a restored filter differ in the last bit from one that
 * never slept.
 *
 * Spec: `{ type: 'mean', window: 1..64, every?: 1 }`.
 */
import type { Filter } from './filter.js';
import { parseWindowParams, SampleWindow } from './window.js';
import type { RestorePhase } from '../validate.js';

export interface MeanSpec {
  readonly type: 'mean';
  readonly window: number;
  readonly every?: number;
}

export function parseMeanSpec(raw: unknown, path = 'filter'): MeanSpec {
  const { window, every } = parseWindowParams(raw, path);
  return { type: 'mean', window, every };
}

export class MeanFilter implements Filter {
  readonly type = 'mean';
  readonly #window: SampleWindow;

  constructor(spec: MeanSpec, path = 'filter') {
    this.#window = new SampleWindow(parseWindowParams(spec, path));
  }

  push(value: number, _nowMs: number): number | undefined {
    if (!this.#window.add(value)) return undefined;
    const values = this.#window.values();
    let sum = 0;
    for (const v of values) sum += v;
    return sum / values.length;
  }

  snapshot(): number[] {
    return this.#window.snapshot();
  }

  restore(state: readonly number[], phase?: RestorePhase): void {
    this.#window.restore(state, 'mean filter', phase);
  }
}
