/**
 * Deadband (change-only reporting): report when the value moved strictly beyond the band from
 * the last REPORTED value (not the last sample, so a slow drift is reported once it adds up).
 * Absolute: |v - last| > abs. Relative: |v - last| > rel * |last| (so with last = 0 any change
 * reports). The first value always reports. A change of exactly the band does not report.
 * State: [] before the first report, [last] after.
 *
 * Spec: `{ type: 'deadband', abs: number >= 0 }` or `{ type: 'deadband', rel: number >= 0 }`
 * (rel is a fraction: 0.02 = 2 %).
 */
import type { ReportPolicy } from './policy.js';
import { aObject, aState, configError, optionalNumber, type RestorePhase } from '../validate.js';

export type DeadbandSpec =
  | { readonly type: 'deadband'; readonly abs: number }
  | { readonly type: 'deadband'; readonly rel: number };

export function parseDeadbandSpec(raw: unknown, path = 'report'): DeadbandSpec {
  const obj = aObject(raw, path, ['type', 'abs', 'rel']);
  const abs = optionalNumber(obj, 'abs', path, { min: 0 });
  const rel = optionalNumber(obj, 'rel', path, { min: 0 });
  if ((abs === undefined) === (rel === undefined)) throw configError(path, 'give exactly one of abs and rel');
  return abs !== undefined ? { type: 'deadband', abs } : { type: 'deadband', rel: rel! };
}

export class DeadbandPolicy implements ReportPolicy {
  readonly type = 'deadband';
  readonly #abs: number | undefined;
  readonly #rel: number | undefined;
  #last: number | undefined;

  constructor(spec: DeadbandSpec, path = 'report') {
    const checked = parseDeadbandSpec(spec, path);
    this.#abs = 'abs' in checked ? checked.abs : undefined;
    this.#rel = 'rel' in checked ? checked.rel : undefined;
  }

  decide(value: number, _nowMs: number): boolean {
    const last = this.#last;
    if (last === undefined) return true;
    const change = Math.abs(value - last);
    return this.#abs !== undefined ? change > this.#abs : change > this.#rel! * Math.abs(last);
  }

  reported(value: number, _nowMs: number): void {
    this.#last = value;
  }

  nextDueMs(): undefined {
    return undefined;
  }

  snapshot(): number[] {
    return this.#last === undefined ? [] : [this.#last];
  }

  restore(state: readonly unknown[], phase?: RestorePhase): void {
    if (phase !== 'apply') {
      aState(state, 'deadband policy', 0, 1);
      if (phase === 'check') return;
    }
    this.#last = state[0] as number | undefined;
  }
}
