import { describe, expect, it } from 'vitest';
import { MeanFilter, parseMeanSpec } from '../../../../../firmware/sampling/filters/mean.js';
import { expectCode, expectTrace } from '../trace.js';

describe('MeanFilter', () => {
  it('window 3', () => {
    //  in    window        out
    //  3     [3]           3
    //  6     [3,6]         4.5
    //  9     [3,6,9]       6
    //  0     [6,9,0]       5
    //  1.5   [9,0,1.5]     3.5
    expectTrace(new MeanFilter({ type: 'mean', window: 3 }), [
      [3, 3],
      [6, 4.5],
      [9, 6],
      [0, 5],
      [1.5, 3.5],
    ]);
  });

  it('every 3 emits the window mean every third push', () => {
    // window 2, every 3: 1 -, 2 -, 4 -> (2+4)/2 = 3, 8 -, 0 -, 2 -> (0+2)/2 = 1
    expectTrace(new MeanFilter({ type: 'mean', window: 2, every: 3 }), [
      [1, undefined],
      [2, undefined],
      [4, 3],
      [8, undefined],
      [0, undefined],
      [2, 1],
    ]);
  });

  it('a restored filter matches bit for bit on inexact decimals', () => {
    // 0.1 + 0.2 + 0.3 are not exact in binary: the sum order must be the same after restore.
    const values = [0.1, 0.2, 0.3, 0.7, 1e-17, 0.9];
    const a = new MeanFilter({ type: 'mean', window: 3 });
    const b = new MeanFilter({ type: 'mean', window: 3 });
    values.forEach((v, i) => {
      const out = a.push(v, 0);
      if (i === 2) b.restore(a.snapshot());
      if (i > 2) expect(b.push(v, 0)).toBe(out);
    });
  });

  it('refuses bad specs and state', () => {
    expectCode(() => parseMeanSpec({ type: 'mean', window: -1 }), 'ERR_CONFIG_INVALID');
    expectCode(() => new MeanFilter({ type: 'mean', window: 2 }).restore([0, 1, 2, 3]), 'ERR_STATE_CORRUPT');
  });
});
