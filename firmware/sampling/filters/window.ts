/**
 * The part median and sliding mean share: the last N values and ESPHome's `send_every`
 * counter (emit one value per `every` pushes). State: [counter, ...values], oldest first.
 */
import { MAX_FILTER_EVERY, MAX_FILTER_WINDOW } from './filter.js';
import { aObject, aState, aStateCounter, optionalNumber, requiredNumber, type RestorePhase } from '../validate.js';

export interface WindowParams {
  readonly window: number;
  readonly every: number;
}

export function parseWindowParams(raw: unknown, path: string): WindowParams {
  const obj = aObject(raw, path, ['type', 'window', 'every']);
  const window = requiredNumber(obj, 'window', path, { integer: true, min: 1, max: MAX_FILTER_WINDOW });
  const every = optionalNumber(obj, 'every', path, { integer: true, min: 1, max: MAX_FILTER_EVERY }) ?? 1;
  return { window, every };
}

export class SampleWindow {
  readonly size: number;
  readonly every: number;
  #values: number[] = [];
  #counter = 0;

  constructor(params: WindowParams) {
    this.size = params.window;
    this.every = params.every;
  }

  /** Adds a value; true when this push should emit. */
  add(value: number): boolean {
    this.#values.push(value);
    if (this.#values.length > this.size) this.#values.shift();
    this.#counter += 1;
    if (this.#counter < this.every) return false;
    this.#counter = 0;
    return true;
  }

  /** Oldest first; do not mutate. */
  values(): readonly number[] {
    return this.#values;
  }

  snapshot(): number[] {
    return [this.#counter, ...this.#values];
  }

  restore(state: readonly number[], what: string, phase?: RestorePhase): void {
    if (phase !== 'apply') {
      aStateCounter(aState(state, what, 1, this.size + 1)[0]!, what, this.every);
      if (phase === 'check') return;
    }
    this.#values = state.slice(1);
    this.#counter = state[0]!;
  }
}
