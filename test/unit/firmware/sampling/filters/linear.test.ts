import { describe, expect, it } from 'vitest';
import { LinearFilter, parseLinearSpec } from '../../../../../firmware/sampling/filters/linear.js';
import { expectCode, expectTrace } from '../trace.js';

describe('LinearFilter', () => {
  it('slope and offset: out = slope * in + offset', () => {
    // slope 2, offset -1:  0 -> -1,  1.5 -> 2,  -3 -> -7
    expectTrace(new LinearFilter({ type: 'linear', slope: 2, offset: -1 }), [
      [0, -1],
      [1.5, 2],
      [-3, -7],
    ]);
  });

  it('defaults to the identity', () => {
    expectTrace(new LinearFilter({ type: 'linear' }), [[21.5, 21.5], [-4, -4]]);
  });

  it('two points give slope and offset', () => {
    // (1 -> 3), (3 -> 7): slope (7-3)/(3-1) = 2, offset 3 - 2*1 = 1;  0 -> 1,  2.5 -> 6,  -1 -> -1
    const f = new LinearFilter({ type: 'linear', points: [[1, 3], [3, 7]] });
    expect([f.slope, f.offset]).toEqual([2, 1]);
    expectTrace(f, [[0, 1], [2.5, 6], [-1, -1]]);
  });

  it('two points in falling order work the same', () => {
    // (4 -> 10), (0 -> 0): slope 2.5, offset 0;  2 -> 5,  -1 -> -2.5
    expectTrace(new LinearFilter({ type: 'linear', points: [[4, 10], [0, 0]] }), [[2, 5], [-1, -2.5]]);
  });

  it('refuses bad specs with ERR_CONFIG_INVALID', () => {
    expectCode(() => parseLinearSpec({ type: 'linear', points: [[1, 2], [1, 5]] }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseLinearSpec({ type: 'linear', points: [[1, 2]] }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseLinearSpec({ type: 'linear', points: [[1, 2], [2, 'x']] }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseLinearSpec({ type: 'linear', slope: 2, points: [[0, 0], [1, 1]] }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseLinearSpec({ type: 'linear', slope: Infinity }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseLinearSpec({ type: 'linear', slope: 1, gain: 2 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseLinearSpec({ type: 'linear', points: [[0, 0], [Number.MIN_VALUE, Number.MAX_VALUE]] }), 'ERR_CONFIG_INVALID');
  });

  it('has no state, and refuses any', () => {
    const f = new LinearFilter({ type: 'linear', slope: 3 });
    expect(f.snapshot()).toEqual([]);
    f.restore([]);
    expectCode(() => f.restore([1]), 'ERR_STATE_CORRUPT');
  });
});
