/**
 * All threshold rules of a node. `evaluate(channel, value, nowMs)` runs the rules that watch
 * that channel. State survives deep sleep keyed by rule id (a CBOR map id -> rule state), so a
 * raised alarm stays raised across a config update that keeps the rule's id; rules that are
 * new start cleared, state of removed rules is ignored.
 */
import { decode, encode } from '../codec/cbor.js';
import { anArray, configError, stateError } from '../sampling/validate.js';
import { parseThresholdRuleSpec, ThresholdRule, type AlarmEvent, type RuleStep, type ThresholdRuleSpec } from './threshold.js';

export const MAX_RULES = 32;

export function parseRuleSpecs(raw: unknown, path = 'rules'): ThresholdRuleSpec[] {
  const specs = anArray(raw, path, 0, MAX_RULES).map((r, i) => parseThresholdRuleSpec(r, `${path}[${i}]`));
  specs.forEach((s, i) => {
    if (specs.findIndex((o) => o.id === s.id) !== i) throw configError(`${path}[${i}].id`, `duplicate rule id "${s.id}"`);
  });
  return specs;
}

export class RuleSet {
  readonly rules: readonly ThresholdRule[];

  constructor(specs: readonly ThresholdRuleSpec[], path = 'rules') {
    this.rules = parseRuleSpecs(specs, path).map((s, i) => new ThresholdRule(s, `${path}[${i}]`));
  }

  evaluate(channel: string, value: number, nowMs: number): RuleStep {
    const events: AlarmEvent[] = [];
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (rule.channel !== channel) continue;
      const step = rule.step(value, nowMs).events;
      for (let k = 0; k < step.length; k++) events.push(step[k]!);
    }
    return { events, forcesWindow: events.length > 0 };
  }

  /** True while any rule has a raised level. */
  anyActive(): boolean {
    return this.rules.some((r) => {
      const a = r.active();
      return a.high || a.low;
    });
  }

  /** Each rule's state by id (ThresholdRule.snapshot); the node's retained record holds it as JSON. */
  state(): Record<string, number[]> {
    const map: Record<string, number[]> = {};
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) map[rules[i]!.id] = rules[i]!.snapshot();
    return map;
  }

  snapshot(): Uint8Array {
    return encode(this.state());
  }

  /** All or nothing: ERR_STATE_CORRUPT on malformed bytes or a rule's bad state. */
  restore(bytes: Uint8Array): void {
    let map: unknown;
    try {
      map = decode(bytes);
    } catch (error) {
      throw stateError(`rules: ${(error as Error).message}`);
    }
    const proto: unknown = typeof map === 'object' && map !== null ? Object.getPrototypeOf(map) : undefined;
    if (proto !== Object.prototype && proto !== null) throw stateError('rules: expected a map from rule id to state');
    const saved = map as Record<string, unknown>;
    const before = this.rules.map((r) => r.snapshot());
    try {
      for (const rule of this.rules) {
        if (Object.prototype.hasOwnProperty.call(saved, rule.id)) rule.restore(saved[rule.id] as readonly number[]);
        else rule.restore([0, 0, 0, 0]);
      }
    } catch (error) {
      this.rules.forEach((r, i) => r.restore(before[i]!));
      throw error;
    }
  }
}
