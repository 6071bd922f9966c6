/**
 * Linear calibration (ESPHome `calibrate_linear` with two points, or `multiply` + `offset`):
 * out = slope * in + offset. Stateless.
 *
 * Spec: `{ type: 'linear', slope?: 1, offset?: 0 }` or
 *       `{ type: 'linear', points: [[in1, out1], [in2, out2]] }` (in1 != in2).
 */
import type { Filter } from './filter.js';
import { aNumber, aObject, anArray, aState, configError, optionalNumber } from '../validate.js';

export type LinearSpec =
  | { readonly type: 'linear'; readonly slope?: number; readonly offset?: number }
  | { readonly type: 'linear'; readonly points: readonly [readonly [number, number], readonly [number, number]] };

export function parseLinearSpec(raw: unknown, path = 'filter'): LinearSpec {
  const obj = aObject(raw, path, ['type', 'slope', 'offset', 'points']);
  if (obj['points'] !== undefined) {
    if (obj['slope'] !== undefined || obj['offset'] !== undefined) {
      throw configError(path, 'give either points or slope/offset, not both');
    }
    const points = anArray(obj['points'], `${path}.points`, 2, 2);
    const pair = (p: unknown, at: string): [number, number] => {
      const xy = anArray(p, at, 2, 2);
      return [aNumber(xy[0], `${at}[0]`), aNumber(xy[1], `${at}[1]`)];
    };
    const a = pair(points[0], `${path}.points[0]`);
    const b = pair(points[1], `${path}.points[1]`);
    if (a[0] === b[0]) throw configError(`${path}.points`, 'the two input values must differ');
    const { slope, offset } = twoPoint(a, b);
    if (!Number.isFinite(slope) || !Number.isFinite(offset)) throw configError(`${path}.points`, 'slope is not finite');
    return { type: 'linear', points: [a, b] };
  }
  return { type: 'linear', slope: optionalNumber(obj, 'slope', path) ?? 1, offset: optionalNumber(obj, 'offset', path) ?? 0 };
}

function twoPoint(a: readonly [number, number], b: readonly [number, number]): { slope: number; offset: number } {
  const slope = (b[1] - a[1]) / (b[0] - a[0]);
  return { slope, offset: a[1] - slope * a[0] };
}

export class LinearFilter implements Filter {
  readonly type = 'linear';
  readonly slope: number;
  readonly offset: number;

  constructor(spec: LinearSpec, path = 'filter') {
    const checked = parseLinearSpec(spec, path);
    if ('points' in checked) {
      const { slope, offset } = twoPoint(checked.points[0], checked.points[1]);
      this.slope = slope;
      this.offset = offset;
    } else {
      this.slope = checked.slope ?? 1;
      this.offset = checked.offset ?? 0;
    }
  }

  push(value: number, _nowMs: number): number {
    return this.slope * value + this.offset;
  }

  snapshot(): number[] {
    return [];
  }

  restore(state: readonly number[]): void {
    aState(state, 'linear filter', 0, 0);
  }
}
