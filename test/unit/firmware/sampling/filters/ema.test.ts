import { describe, expect, it } from 'vitest';
import { EmaFilter, parseEmaSpec } from '../../../../../firmware/sampling/filters/ema.js';
import { expectCode, expectTrace } from '../trace.js';

describe('EmaFilter', () => {
  it('alpha 0.5, seeded by the first value', () => {
    //  in   acc
    //  10   10                         (seed)
    //  20   0.5*20 + 0.5*10  = 15
    //  0    0.5*0  + 0.5*15  = 7.5
    //  4    0.5*4  + 0.5*7.5 = 5.75
    expectTrace(new EmaFilter({ type: 'ema', alpha: 0.5 }), [
      [10, 10],
      [20, 15],
      [0, 7.5],
      [4, 5.75],
    ]);
  });

  it('alpha 0.25, every 2', () => {
    //  8   acc 8                         -> undefined
    //  0   0.25*0  + 0.75*8   = 6        -> 6
    //  16  0.25*16 + 0.75*6   = 8.5      -> undefined
    //  4   0.25*4  + 0.75*8.5 = 7.375    -> 7.375
    expectTrace(new EmaFilter({ type: 'ema', alpha: 0.25, every: 2 }), [
      [8, undefined],
      [0, 6],
      [16, undefined],
      [4, 7.375],
    ]);
  });

  it('alpha 1 passes values through', () => {
    expectTrace(new EmaFilter({ type: 'ema', alpha: 1 }), [[3, 3], [-2, -2]]);
  });

  it('state is [counter] before the first value, [counter, acc] after', () => {
    const f = new EmaFilter({ type: 'ema', alpha: 0.5, every: 2 });
    expect(f.snapshot()).toEqual([0]);
    f.push(6, 0);
    expect(f.snapshot()).toEqual([1, 6]);
    const g = new EmaFilter({ type: 'ema', alpha: 0.5, every: 2 });
    g.restore([1, 6]);
    expect(g.push(2, 0)).toBe(4);
  });

  it('refuses bad specs and state', () => {
    expectCode(() => parseEmaSpec({ type: 'ema', alpha: 0 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseEmaSpec({ type: 'ema', alpha: 1.5 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseEmaSpec({ type: 'ema' }), 'ERR_CONFIG_INVALID');
    const f = new EmaFilter({ type: 'ema', alpha: 0.5, every: 2 });
    expectCode(() => f.restore([1]), 'ERR_STATE_CORRUPT'); // counted a value it does not have
    expectCode(() => f.restore([0, 1, 2]), 'ERR_STATE_CORRUPT');
    expectCode(() => f.restore([0, Infinity]), 'ERR_STATE_CORRUPT');
    expect(f.snapshot()).toEqual([0]);
  });
});
