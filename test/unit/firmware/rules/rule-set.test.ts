import { describe, expect, it } from 'vitest';
import { encode } from '../../../../firmware/codec/cbor.js';
import { parseRuleSpecs, RuleSet } from '../../../../firmware/rules/rule-set.js';
import { expectCode } from '../sampling/trace.js';

const specs = [
  { id: 'hot', channel: 'temperature', high: 30, hysteresis: 1 },
  { id: 'dry', channel: 'humidity', low: 20, debounce: 2 },
];

describe('RuleSet', () => {
  it('runs only the rules of the channel', () => {
    const set = new RuleSet(specs);
    expect(set.evaluate('humidity', 50, 0).events).toEqual([]);
    const step = set.evaluate('temperature', 31, 1000);
    expect(step.forcesWindow).toBe(true);
    expect(step.events.map((e) => e.ruleId)).toEqual(['hot']);
    expect(set.evaluate('pressure', 1e9, 0).events).toEqual([]);
    expect(set.anyActive()).toBe(true);
  });

  it('state survives deep sleep by rule id, also across a config change', () => {
    const set = new RuleSet(specs);
    set.evaluate('temperature', 31, 0);
    set.evaluate('humidity', 10, 0);
    const bytes = set.snapshot();
    // new config: 'hot' threshold moved, 'dry' removed, 'cold' added
    const next = new RuleSet([{ id: 'hot', channel: 'temperature', high: 35, hysteresis: 1 }, { id: 'cold', channel: 'temperature', low: 0 }]);
    next.restore(bytes);
    expect(next.rules.map((r) => r.active())).toEqual([{ high: true, low: false }, { high: false, low: false }]);
    expect(next.evaluate('temperature', 34.5, 1).events).toEqual([]); // hold band 34..35 of the new rule: still raised
    expect(next.evaluate('temperature', 36, 2).events).toEqual([]); // no second raise
  });

  it('refuses malformed bytes and bad rule states, all or nothing', () => {
    const set = new RuleSet(specs);
    set.evaluate('temperature', 31, 0);
    const before = set.snapshot();
    expectCode(() => set.restore(new Uint8Array([0x1c])), 'ERR_STATE_CORRUPT');
    expectCode(() => set.restore(encode([1, 2])), 'ERR_STATE_CORRUPT');
    expectCode(() => set.restore(encode(new Map([[1, [0, 0, 0, 0]]]))), 'ERR_STATE_CORRUPT'); // integer keys
    expectCode(() => set.restore(encode(new Uint8Array(4))), 'ERR_STATE_CORRUPT');
    expectCode(() => set.restore(encode({ hot: [0, 0, 0, 0], dry: [0, 5, 0, 0] })), 'ERR_STATE_CORRUPT');
    expect(set.snapshot()).toEqual(before);
  });

  it('refuses duplicate ids and too many rules', () => {
    expectCode(() => parseRuleSpecs([specs[0], specs[0]]), 'ERR_CONFIG_INVALID');
    expectCode(() => parseRuleSpecs(Array.from({ length: 33 }, (_, i) => ({ id: `r${i}`, channel: 't', high: 1 }))), 'ERR_CONFIG_INVALID');
    expectCode(() => parseRuleSpecs('hot'), 'ERR_CONFIG_INVALID');
  });
});
