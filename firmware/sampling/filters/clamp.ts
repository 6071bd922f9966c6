/**
 * Clamp (ESPHome `clamp`): values outside [min, max] are either saturated to the bound
 * (`mode: 'saturate'`, the default, as ESPHome) or dropped (`mode: 'drop'`, ESPHome's
 * `ignore_out_of_range`: the sample ends the chain, e.g. a sensor's error code 85.0 C).
 * A bound may be left out. Stateless.
 *
 * Spec: `{ type: 'clamp', min?: number, max?: number, mode?: 'saturate' | 'drop' }`.
 */
import type { Filter } from './filter.js';
import { aObject, aOneOf, aState, configError, optionalNumber } from '../validate.js';

export type ClampMode = 'saturate' | 'drop';

export interface ClampSpec {
  readonly type: 'clamp';
  readonly min?: number;
  readonly max?: number;
  readonly mode?: ClampMode;
}

export function parseClampSpec(raw: unknown, path = 'filter'): ClampSpec {
  const obj = aObject(raw, path, ['type', 'min', 'max', 'mode']);
  const min = optionalNumber(obj, 'min', path);
  const max = optionalNumber(obj, 'max', path);
  if (min === undefined && max === undefined) throw configError(path, 'give min, max or both');
  if (min !== undefined && max !== undefined && min > max) throw configError(path, 'min must be <= max');
  const mode = obj['mode'] === undefined ? 'saturate' : aOneOf(obj['mode'], `${path}.mode`, ['saturate', 'drop'] as const);
  const spec: { type: 'clamp'; min?: number; max?: number; mode: ClampMode } = { type: 'clamp', mode };
  if (min !== undefined) spec.min = min;
  if (max !== undefined) spec.max = max;
  return spec;
}

export class ClampFilter implements Filter {
  readonly type = 'clamp';
  readonly #min: number;
  readonly #max: number;
  readonly #drop: boolean;

  constructor(spec: ClampSpec, path = 'filter') {
    const checked = parseClampSpec(spec, path);
    this.#min = checked.min ?? -Infinity;
    this.#max = checked.max ?? Infinity;
    this.#drop = checked.mode === 'drop';
  }

  push(value: number, _nowMs: number): number | undefined {
    if (value < this.#min) return this.#drop ? undefined : this.#min;
    if (value > this.#max) return this.#drop ? undefined : this.#max;
    return value;
  }

  snapshot(): number[] {
    return [];
  }

  restore(state: readonly number[]): void {
    aState(state, 'clamp filter', 0, 0);
  }
}
