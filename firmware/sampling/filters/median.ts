/**
 * Median over a sliding window of the last N values (ESPHome `median`). Until the window is
 * full the median is taken over the values seen so far. With an even count it is the mean of
 * the two middle values. `every` emits one value per `every` pushes (ESPHome `send_every`).
 *
 * Spec: `{ type: 'median', window: 1..64, every?: 1 }`.
 */
import type { Filter } from './filter.js';
import { parseWindowParams, SampleWindow } from './window.js';
import type { RestorePhase } from '../validate.js';

export interface MedianSpec {
  readonly type: 'median';
  readonly window: number;
  readonly every?: number;
}

export function parseMedianSpec(raw: unknown, path = 'filter'): MedianSpec {
  const { window, every } = parseWindowParams(raw, path);
  return { type: 'median', window, every };
}

export function median(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export class MedianFilter implements Filter {
  readonly type = 'median';
  readonly #window: SampleWindow;

  constructor(spec: MedianSpec, path = 'filter') {
    this.#window = new SampleWindow(parseWindowParams(spec, path));
  }

  push(value: number, _nowMs: number): number | undefined {
    return this.#window.add(value) ? median(this.#window.values()) : undefined;
  }

  snapshot(): number[] {
    return this.#window.snapshot();
  }

  restore(state: readonly number[], phase?: RestorePhase): void {
    this.#window.restore(state, 'median filter', phase);
  }
}
