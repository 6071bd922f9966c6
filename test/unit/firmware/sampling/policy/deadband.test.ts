import { describe, expect, it } from 'vitest';
import { DeadbandPolicy, parseDeadbandSpec } from '../../../../../firmware/sampling/policy/deadband.js';
import { expectCode } from '../trace.js';
import { expectPolicyTrace } from './trace.js';

describe('DeadbandPolicy', () => {
  it('absolute: strictly beyond the band from the last REPORTED value', () => {
    // abs 0.5       |v - last|    > 0.5?   last after
    // 20            (first)       yes      20
    // 20.25         0.25          no       20
    // 20.5          0.5           no  (exactly the band)
    // 20.75         0.75          yes      20.75   <- slow drift adds up
    // 20.25         0.5           no
    // 20            0.75          yes      20
    // 19.5          0.5           no
    expectPolicyTrace(new DeadbandPolicy({ type: 'deadband', abs: 0.5 }), [
      [0, 20, true],
      [1, 20.25, false],
      [2, 20.5, false],
      [3, 20.75, true],
      [4, 20.25, false],
      [5, 20, true],
      [6, 19.5, false],
    ]);
  });

  it('relative: beyond rel * |last reported|', () => {
    // rel 0.25      band = 0.25*|last|    change    report?
    // 100           (first)                         yes  last 100
    // 125           25                    25        no   (exactly)
    // 126           25                    26        yes  last 126
    // 94.5          31.5                  31.5      no
    // 94            31.5                  32        yes  last 94
    expectPolicyTrace(new DeadbandPolicy({ type: 'deadband', rel: 0.25 }), [
      [0, 100, true],
      [1, 125, false],
      [2, 126, true],
      [3, 94.5, false],
      [4, 94, true],
    ]);
  });

  it('relative on negative and zero references', () => {
    // last -8: band 2;  -10 change 2 no;  -10.5 change 2.5 yes
    expectPolicyTrace(new DeadbandPolicy({ type: 'deadband', rel: 0.25 }), [
      [0, -8, true],
      [1, -10, false],
      [2, -10.5, true],
    ]);
    // last 0: band 0, any change reports, no change does not
    expectPolicyTrace(new DeadbandPolicy({ type: 'deadband', rel: 0.25 }), [
      [0, 0, true],
      [1, 0, false],
      [2, 0.001, true],
    ]);
  });

  it('abs 0 reports every change and no repeat', () => {
    expectPolicyTrace(new DeadbandPolicy({ type: 'deadband', abs: 0 }), [
      [0, 1, true],
      [1, 1, false],
      [2, 1.0000001, true],
    ]);
  });

  it('decide alone changes nothing; time alone never forces it', () => {
    const p = new DeadbandPolicy({ type: 'deadband', abs: 1 });
    p.reported(10, 0);
    expect(p.decide(20, 1)).toBe(true);
    expect(p.decide(10.5, 2)).toBe(false); // still measured from 10
    expect(p.nextDueMs()).toBeUndefined();
  });

  it('snapshot/restore', () => {
    const p = new DeadbandPolicy({ type: 'deadband', abs: 1 });
    expect(p.snapshot()).toEqual([]);
    p.reported(3.25, 0);
    expect(p.snapshot()).toEqual([3.25]);
    const q = new DeadbandPolicy({ type: 'deadband', abs: 1 });
    q.restore([3.25]);
    expect(q.decide(4.25, 0)).toBe(false);
    expect(q.decide(4.5, 0)).toBe(true);
    expectCode(() => q.restore([1, 2]), 'ERR_STATE_CORRUPT');
    expectCode(() => q.restore([NaN]), 'ERR_STATE_CORRUPT');
    expect(q.snapshot()).toEqual([3.25]);
  });

  it('needs exactly one of abs and rel, non-negative', () => {
    expectCode(() => parseDeadbandSpec({ type: 'deadband' }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseDeadbandSpec({ type: 'deadband', abs: 1, rel: 0.1 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseDeadbandSpec({ type: 'deadband', abs: -1 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseDeadbandSpec({ type: 'deadband', delta: 1 }), 'ERR_CONFIG_INVALID');
  });
});
