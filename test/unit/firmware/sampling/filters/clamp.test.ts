import { describe, expect, it } from 'vitest';
import { ClampFilter, parseClampSpec } from '../../../../../firmware/sampling/filters/clamp.js';
import { expectCode, expectTrace } from '../trace.js';

describe('ClampFilter', () => {
  it('saturates by default', () => {
    // [0, 100]:  -5 -> 0,  50 -> 50,  100 -> 100 (bound itself passes),  100.5 -> 100,  0 -> 0
    expectTrace(new ClampFilter({ type: 'clamp', min: 0, max: 100 }), [
      [-5, 0],
      [50, 50],
      [100, 100],
      [100.5, 100],
      [0, 0],
    ]);
  });

  it('drop mode ends the chain outside the range, bounds included in the range', () => {
    expectTrace(new ClampFilter({ type: 'clamp', min: 0, max: 100, mode: 'drop' }), [
      [-5, undefined],
      [0, 0],
      [100, 100],
      [101, undefined],
      [42, 42],
    ]);
  });

  it('one bound may be left out', () => {
    // DS18B20 reports 85.0 C on a power-on reset: drop it, keep everything below.
    expectTrace(new ClampFilter({ type: 'clamp', max: 84.9, mode: 'drop' }), [[85, undefined], [-1000, -1000], [84.9, 84.9]]);
    expectTrace(new ClampFilter({ type: 'clamp', min: -40 }), [[-41, -40], [1e9, 1e9]]);
  });

  it('refuses bad specs', () => {
    expectCode(() => parseClampSpec({ type: 'clamp' }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseClampSpec({ type: 'clamp', min: 5, max: 4 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseClampSpec({ type: 'clamp', min: 0, mode: 'wrap' }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseClampSpec({ type: 'clamp', min: '0' }), 'ERR_CONFIG_INVALID');
  });

  it('normalises the spec', () => {
    expect(parseClampSpec({ type: 'clamp', max: 3 })).toEqual({ type: 'clamp', max: 3, mode: 'saturate' });
  });

  it('has no state', () => {
    const f = new ClampFilter({ type: 'clamp', min: 0 });
    expect(f.snapshot()).toEqual([]);
    expectCode(() => f.restore([0]), 'ERR_STATE_CORRUPT');
  });
});
