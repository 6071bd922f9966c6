/**
 * Exponential moving average (ESPHome `exponential_moving_average`):
 * acc = alpha * in + (1 - alpha) * acc, seeded with the first value. Per sample, not per unit
 * of time: the node samples on a fixed period, and a time-based alpha would need Math.exp,
 * whose last bit differs between engines. `every` emits one value per `every` pushes.
 * State: [counter] before the first value, [counter, acc] after.
 *
 * Spec: `{ type: 'ema', alpha: (0, 1], every?: 1 }`.
 */
import { MAX_FILTER_EVERY, type Filter } from './filter.js';
import { aObject, aState, aStateCounter, optionalNumber, requiredNumber, stateError, type RestorePhase } from '../validate.js';

export interface EmaSpec {
  readonly type: 'ema';
  readonly alpha: number;
  readonly every?: number;
}

export function parseEmaSpec(raw: unknown, path = 'filter'): EmaSpec {
  const obj = aObject(raw, path, ['type', 'alpha', 'every']);
  const alpha = requiredNumber(obj, 'alpha', path, { above: 0, max: 1 });
  const every = optionalNumber(obj, 'every', path, { integer: true, min: 1, max: MAX_FILTER_EVERY }) ?? 1;
  return { type: 'ema', alpha, every };
}

export class EmaFilter implements Filter {
  readonly type = 'ema';
  readonly alpha: number;
  readonly every: number;
  #acc: number | undefined;
  #counter = 0;

  constructor(spec: EmaSpec, path = 'filter') {
    const checked = parseEmaSpec(spec, path);
    this.alpha = checked.alpha;
    this.every = checked.every ?? 1;
  }

  push(value: number, _nowMs: number): number | undefined {
    this.#acc = this.#acc === undefined ? value : this.alpha * value + (1 - this.alpha) * this.#acc;
    this.#counter += 1;
    if (this.#counter < this.every) return undefined;
    this.#counter = 0;
    return this.#acc;
  }

  snapshot(): number[] {
    return this.#acc === undefined ? [this.#counter] : [this.#counter, this.#acc];
  }

  restore(state: readonly number[], phase?: RestorePhase): void {
    if (phase !== 'apply') {
      const checked = aState(state, 'ema filter', 1, 2);
      const counter = aStateCounter(checked[0]!, 'ema filter', this.every);
      if (checked.length === 1 && counter !== 0) throw stateError('ema filter: counter without a value');
      if (phase === 'check') return;
    }
    this.#acc = state[1];
    this.#counter = state[0]!;
  }
}
