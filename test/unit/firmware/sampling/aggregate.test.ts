import { describe, expect, it } from 'vitest';
import { parseAggregateSpec, WindowAggregate, windowStart } from '../../../../firmware/sampling/aggregate.js';
import { expectCode } from './trace.js';

describe('WindowAggregate', () => {
  it('summarises a period-aligned window when a value arrives after it', () => {
    // period 60 s, windows [0, 60 000), [60 000, 120 000) ...
    //   t=0       10   opens [0, 60 000)
    //   t=20 000  14
    //   t=59 999  9    still inside: count 3, sum 33, min 9, max 14
    //   t=60 000  100  closes it: mean 33/3 = 11; opens [60 000, 120 000)
    const a = new WindowAggregate({ periodMs: 60_000 });
    expect(a.nextDueMs()).toBeUndefined();
    expect(a.push(10, 0)).toBeUndefined();
    expect(a.nextDueMs()).toBe(60_000);
    expect(a.push(14, 20_000)).toBeUndefined();
    expect(a.push(9, 59_999)).toBeUndefined();
    expect(a.push(100, 60_000)).toEqual({ startMs: 0, endMs: 60_000, count: 3, min: 9, max: 14, mean: 11 });
    // close() at the end of the window, without a new value
    expect(a.close(119_999)).toBeUndefined();
    expect(a.close(120_000)).toEqual({ startMs: 60_000, endMs: 120_000, count: 1, min: 100, max: 100, mean: 100 });
    expect(a.close(500_000)).toBeUndefined(); // nothing open: an empty window emits nothing
    expect(a.nextDueMs()).toBeUndefined();
  });

  it('aligns the first window to the period, not to the first sample', () => {
    const a = new WindowAggregate({ periodMs: 3_600_000 });
    a.push(1, Date.UTC(2025, 5, 1, 10, 17, 3));
    expect(a.nextDueMs()).toBe(Date.UTC(2025, 5, 1, 11));
  });

  it('skips empty windows after a gap; a clock step back closes the window too', () => {
    const a = new WindowAggregate({ periodMs: 60_000 });
    a.push(1, 10_000);
    expect(a.push(5, 250_000)).toMatchObject({ startMs: 0, count: 1 }); // [60k..240k) had nothing
    expect(a.nextDueMs()).toBe(300_000);
    expect(a.push(7, 200_000)).toMatchObject({ startMs: 240_000, count: 1, mean: 5 });
    expect(a.nextDueMs()).toBe(240_000);
  });

  it('restores exactly, including the running sum', () => {
    const a = new WindowAggregate({ periodMs: 1000 });
    for (const [v, t] of [[0.1, 0], [0.2, 100], [0.3, 200]] as const) a.push(v, t);
    const b = new WindowAggregate({ periodMs: 1000 });
    b.restore(a.snapshot());
    expect(b.snapshot()).toEqual([0, 3, 0.1 + 0.2 + 0.3, 0.1, 0.3]);
    expect(b.close(1000)).toEqual(a.close(1000));
  });

  it('refuses malformed state and keeps its own', () => {
    const a = new WindowAggregate({ periodMs: 1000 });
    a.push(1, 5000);
    const before = a.snapshot();
    expectCode(() => a.restore([0, 1, 1, 1]), 'ERR_STATE_CORRUPT');
    expectCode(() => a.restore([500, 1, 1, 1, 1]), 'ERR_STATE_CORRUPT'); // start not on the period
    expectCode(() => a.restore([0, 0, 1, 1, 1]), 'ERR_STATE_CORRUPT'); // empty window saved
    expectCode(() => a.restore([0, 2, 1, 3, 1]), 'ERR_STATE_CORRUPT'); // min > max
    expect(a.snapshot()).toEqual(before);
    a.restore([]);
    expect(a.nextDueMs()).toBeUndefined();
  });

  it('spec: period >= 1 s, integer; stats a subset in canonical order', () => {
    expect(parseAggregateSpec({ periodMs: 60_000 })).toEqual({ periodMs: 60_000, stats: ['min', 'max', 'mean', 'count'] });
    expect(parseAggregateSpec({ periodMs: 60_000, stats: ['count', 'min'] }).stats).toEqual(['min', 'count']);
    expectCode(() => parseAggregateSpec({ periodMs: 999 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseAggregateSpec({ periodMs: 1500.5 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseAggregateSpec({ periodMs: 60_000, stats: ['min', 'min'] }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseAggregateSpec({ periodMs: 60_000, stats: ['median'] }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseAggregateSpec({ periodMs: 60_000, stats: [] }), 'ERR_CONFIG_INVALID');
  });

  it('windowStart is exact', () => {
    expect(windowStart(1_700_000_123_456, 60_000)).toBe(1_700_000_100_000);
    expect(windowStart(-1, 1000)).toBe(-1000);
  });
});
