/**
 * One-method filters in the shape of ESPHome's sensor/filter.h, with time and state explicit
 * (style item 8): `push(value, nowMs)` returns the value to pass on, or `undefined` to end the
 * chain for this sample. `now` is an argument, never a global clock, and `snapshot()` /
 * `restore()` carry the whole state as plain numbers so a chain survives deep sleep
 * (esphome/feature-requests#2174: their windows reset on every wake).
 *
 * Determinism: filters use only + - * / and comparisons on doubles, which IEEE 754 makes
 * identical on XS and V8; no Math.exp/pow/log (their last bit may differ between engines).
 */
import type { RestorePhase } from '../validate.js';

export type FilterType = 'linear' | 'clamp' | 'median' | 'mean' | 'ema';

export interface Filter {
  readonly type: FilterType;
  /** The filtered value, or undefined: nothing passes on from this sample. */
  push(value: number, nowMs: number): number | undefined;
  /** Plain numeric state; restore(snapshot()) on a fresh instance of the same spec is exact. */
  snapshot(): number[];
  /** Validates the shape first and changes nothing on error (ERR_STATE_CORRUPT). */
  restore(state: readonly number[], phase?: RestorePhase): void;
}

/** Largest window of median and mean: bounds RAM and the retained record (9 bytes a value). */
export const MAX_FILTER_WINDOW = 64;
/** Largest `every` (emit one value per N pushes). */
export const MAX_FILTER_EVERY = 1000;
