import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseThresholdRuleSpec, ThresholdRule, type ThresholdRuleSpec } from '../../../../firmware/rules/threshold.js';
import { expectCode } from '../sampling/trace.js';

type Row = readonly [number, string];

/** Rows of [value, expected events as 'raise high' | 'clear low' | '' ]; time = index. */
function expectRule(rule: ThresholdRule, rows: readonly Row[]): void {
  rows.forEach(([value, expected], i) => {
    const step = rule.step(value, i);
    const got = step.events.map((e) => `${e.kind} ${e.level}`).join(', ');
    expect(got, `row ${i}: ${value}`).toBe(expected);
    expect(step.forcesWindow).toBe(expected !== '');
  });
}

const spec = (s: Partial<ThresholdRuleSpec>): ThresholdRuleSpec => ({ id: 'r', channel: 'temperature', ...s });

describe('ThresholdRule: hysteresis', () => {
  it('high 30, hysteresis 2: raise strictly above 30, clear strictly below 28', () => {
    expectRule(new ThresholdRule(spec({ high: 30, hysteresis: 2 })), [
      [29, ''],
      [30, ''], // exactly at the threshold: not above
      [30.5, 'raise high'],
      [31, ''], // already raised
      [29, ''], // in the hold band 28..30
      [28, ''], // exactly the clear line: not below
      [27.9, 'clear high'],
      [30.1, 'raise high'],
    ]);
  });

  it('hysteresis stops flapping around the threshold', () => {
    // without hysteresis each crossing is an event
    expectRule(new ThresholdRule(spec({ high: 30 })), [
      [30.5, 'raise high'],
      [29.5, 'clear high'],
      [30.5, 'raise high'],
      [30, ''], // hold: not above, not below
      [29.5, 'clear high'],
    ]);
    // with 2 degrees of hysteresis the same trace gives one raise
    expectRule(new ThresholdRule(spec({ high: 30, hysteresis: 2 })), [
      [30.5, 'raise high'],
      [29.5, ''],
      [30.5, ''],
      [30, ''],
      [29.5, ''],
    ]);
  });

  it('low level mirrors: raise strictly below, clear strictly above low + hysteresis', () => {
    expectRule(new ThresholdRule(spec({ low: 5, hysteresis: 1 })), [
      [5, ''],
      [4.9, 'raise low'],
      [6, ''], // exactly 5 + 1: not above
      [6.1, 'clear low'],
    ]);
  });

  it('high and low are independent; one sample may clear one and raise the other', () => {
    expectRule(new ThresholdRule(spec({ low: 0, high: 10 })), [
      [11, 'raise high'],
      [-1, 'clear high, raise low'],
      [5, 'clear low'],
    ]);
  });
});

describe('ThresholdRule: debounce', () => {
  it('N-1 beyond then one back resets the count', () => {
    // high 30, hysteresis 1, debounce 3
    expectRule(new ThresholdRule(spec({ high: 30, hysteresis: 1, debounce: 3 })), [
      [31, ''], // 1
      [31, ''], // 2
      [29, ''], // reset
      [31, ''], // 1
      [31, ''], // 2
      [31, 'raise high'], // 3
      [28.5, ''], // clear count 1
      [28.5, ''], // 2
      [29.5, ''], // in the hold band: reset
      [29, ''], // exactly the clear line 29: not in the clear band, reset
      [28, ''], // 1
      [28, ''], // 2
      [28, 'clear high'], // 3
    ]);
  });

  it('flapping under debounce never raises', () => {
    expectRule(new ThresholdRule(spec({ high: 30, debounce: 2 })), [
      [31, ''],
      [29, ''],
      [31, ''],
      [29, ''],
      [31, ''],
      [31, 'raise high'],
    ]);
  });

  it('the event carries the sample that completed the streak', () => {
    const rule = new ThresholdRule(spec({ id: 'overheat', low: -10, debounce: 2 }));
    rule.step(-11, 1000);
    expect(rule.step(-12.5, 2000).events).toEqual([
      { ruleId: 'overheat', channel: 'temperature', kind: 'raise', level: 'low', value: -12.5, timeMs: 2000 },
    ]);
    expect(rule.active()).toEqual({ high: false, low: true });
  });

  it('a missing (non-finite) sample does not touch the counts', () => {
    const rule = new ThresholdRule(spec({ high: 30, debounce: 2 }));
    rule.step(31, 0);
    expect(rule.step(NaN, 1).events).toEqual([]);
    expect(rule.step(31, 2).events).toHaveLength(1);
  });
});

describe('ThresholdRule: spec and state', () => {
  it('refuses bad specs', () => {
    expectCode(() => parseThresholdRuleSpec({ id: 'r', channel: 't' }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseThresholdRuleSpec({ id: 'r', channel: 't', high: 5, low: 5 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseThresholdRuleSpec({ id: 'r', channel: 't', high: 5, hysteresis: -1 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseThresholdRuleSpec({ id: 'r', channel: 't', high: 5, debounce: 0 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseThresholdRuleSpec({ id: 'r', channel: 't', high: 5, debounce: 101 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseThresholdRuleSpec({ id: 'r r', channel: 't', high: 5 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseThresholdRuleSpec({ id: 'r', high: 5 }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseThresholdRuleSpec({ id: 'r', channel: 't', high: 5, above: 3 }), 'ERR_CONFIG_INVALID');
  });

  it('state is [highActive, highCount, lowActive, lowCount]; bad state changes nothing', () => {
    const rule = new ThresholdRule(spec({ high: 30, debounce: 3 }));
    rule.step(31, 0);
    expect(rule.snapshot()).toEqual([0, 1, 0, 0]);
    expectCode(() => rule.restore([1, 3, 0, 0]), 'ERR_STATE_CORRUPT'); // count must stay below debounce
    expectCode(() => rule.restore([2, 0, 0, 0]), 'ERR_STATE_CORRUPT');
    expectCode(() => rule.restore([0, 0, 1, 0]), 'ERR_STATE_CORRUPT'); // low is not configured
    expectCode(() => rule.restore([0, 0, 0]), 'ERR_STATE_CORRUPT');
    expect(rule.snapshot()).toEqual([0, 1, 0, 0]);
    rule.restore([1, 2, 0, 0]);
    expect(rule.active().high).toBe(true);
  });

  it('restored mid-trace gives the same events as an uninterrupted run', () => {
    const specArb = fc.record({
      id: fc.constant('r'),
      channel: fc.constant('t'),
      high: fc.constantFrom(10, 20),
      low: fc.constantFrom(-10, 0),
      hysteresis: fc.constantFrom(0, 1, 5),
      debounce: fc.integer({ min: 1, max: 4 }),
    });
    const traceArb = fc.array(fc.tuple(fc.oneof(fc.integer({ min: -20, max: 30 }), fc.constant(NaN)), fc.boolean()), { maxLength: 80 });
    fc.assert(
      fc.property(specArb, traceArb, (s, trace) => {
        const straight = new ThresholdRule(s);
        const expected = trace.map(([v], i) => straight.step(v, i));
        let rule = new ThresholdRule(s);
        const got = trace.map(([v, sleep], i) => {
          if (sleep) {
            const next = new ThresholdRule(s);
            next.restore(rule.snapshot());
            rule = next;
          }
          return rule.step(v, i);
        });
        expect(got).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
