import { describe, expect, it } from 'vitest';
import { median, MedianFilter, parseMedianSpec } from '../../../../../firmware/sampling/filters/median.js';
import { expectCode, expectTrace } from '../trace.js';

describe('MedianFilter', () => {
  it('window 3 rejects a single spike', () => {
    // in    window       sorted        out
    //  5    [5]          [5]           5
    //  1    [5,1]        [1,5]         (1+5)/2 = 3
    //  9    [5,1,9]      [1,5,9]       5
    //  2    [1,9,2]      [1,2,9]       2
    //  2    [9,2,2]      [2,2,9]       2
    //  100  [2,2,100]    [2,2,100]     2   <- spike gone
    //  3    [2,100,3]    [2,3,100]     3
    expectTrace(new MedianFilter({ type: 'median', window: 3 }), [
      [5, 5],
      [1, 3],
      [9, 5],
      [2, 2],
      [2, 2],
      [100, 2],
      [3, 3],
    ]);
  });

  it('every 2 emits one median per two pushes, even windows average the middle pair', () => {
    // window 4, every 2
    //  4   [4]         counter 1   -> undefined
    //  8   [4,8]       counter 2   -> (4+8)/2 = 6
    //  6   [4,8,6]     counter 1   -> undefined
    //  2   [4,8,6,2]   sorted [2,4,6,8] -> (4+6)/2 = 5
    //  10  [8,6,2,10]  counter 1   -> undefined
    expectTrace(new MedianFilter({ type: 'median', window: 4, every: 2 }), [
      [4, undefined],
      [8, 6],
      [6, undefined],
      [2, 5],
      [10, undefined],
    ]);
  });

  it('median() sorts numerically, not as strings', () => {
    expect(median([10, 9, 100])).toBe(10);
    expect(median([-1, -10, 2, 3])).toBe(0.5);
  });

  it('state is [counter, ...window] and restores exactly', () => {
    const a = new MedianFilter({ type: 'median', window: 3, every: 2 });
    for (const v of [7, 1, 4, 9]) a.push(v, 0);
    a.push(3, 0);
    expect(a.snapshot()).toEqual([1, 4, 9, 3]);
    const b = new MedianFilter({ type: 'median', window: 3, every: 2 });
    b.restore(a.snapshot());
    expect(b.push(5, 0)).toBe(a.push(5, 0));
  });

  it('refuses malformed state and keeps its own', () => {
    const f = new MedianFilter({ type: 'median', window: 3, every: 2 });
    f.push(1, 0);
    const before = f.snapshot();
    expectCode(() => f.restore([]), 'ERR_STATE_CORRUPT'); // no counter
    expectCode(() => f.restore([0, 1, 2, 3, 4]), 'ERR_STATE_CORRUPT'); // more than the window
    expectCode(() => f.restore([2, 1]), 'ERR_STATE_CORRUPT'); // counter not below every
    expectCode(() => f.restore([0.5, 1]), 'ERR_STATE_CORRUPT');
    expectCode(() => f.restore([0, NaN]), 'ERR_STATE_CORRUPT');
    expectCode(() => f.restore('0,1' as unknown as number[]), 'ERR_STATE_CORRUPT');
    expect(f.snapshot()).toEqual(before);
  });

  it('refuses bad specs', () => {
    expectCode(() => parseMedianSpec({ type: 'median' }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseMedianSpec({ type: 'median', window: 0 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseMedianSpec({ type: 'median', window: 65 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseMedianSpec({ type: 'median', window: 2.5 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseMedianSpec({ type: 'median', window: 3, every: 0 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseMedianSpec({ type: 'median', windw: 3 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseMedianSpec([3]), 'ERR_CONFIG_INVALID');
  });
});
