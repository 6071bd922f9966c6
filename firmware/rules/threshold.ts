/**
 * Local threshold rules with hysteresis and debounce (design section 3, step 4), evaluated on
 * the filtered value in the same cycle, with no round trip to a server.
 *
 * High level (`high: H`, `hysteresis: h`, `debounce: N`):
 *   raise after N consecutive samples v > H (strictly above; v = H is not beyond);
 *   once raised, clear after N consecutive samples v < H - h (strictly below the clear line);
 *   a sample that breaks the streak resets the count to 0; between H - h and H nothing changes.
 * Low level mirrors it: raise on v < L, clear on v > L + h.
 *
 * Each raise or clear is an event { ruleId, kind, level, value, timeMs } carrying the sample that
 * completed the streak. Every event forces a radio window in the same cycle (`forcesWindow`):
 * a raise is the alarm; a clear goes out as promptly so the server never shows a stale alarm.
 * A sample that is not read (channel gave no value, or a non-finite one) does not touch the counts.
 *
 * State per rule: [highActive, highCount, lowActive, lowCount] (0/1 and counts < N).
 */
import { aObject, aState, aString, configError, NAME_PATTERN, optionalNumber, stateError } from '../sampling/validate.js';

export type AlarmLevel = 'high' | 'low';
export type AlarmKind = 'raise' | 'clear';

export interface ThresholdRuleSpec {
  /** Stable id, SenML-name-safe; events and saved state refer to it. */
  readonly id: string;
  /** Name of the channel whose filtered values it watches. */
  readonly channel: string;
  readonly high?: number;
  readonly low?: number;
  /** Width of the clear band, >= 0 (default 0). */
  readonly hysteresis?: number;
  /** Consecutive samples needed to raise and to clear, 1..100 (default 1). */
  readonly debounce?: number;
}

export interface AlarmEvent {
  readonly ruleId: string;
  readonly channel: string;
  readonly kind: AlarmKind;
  readonly level: AlarmLevel;
  readonly value: number;
  readonly timeMs: number;
}

export interface RuleStep {
  readonly events: readonly AlarmEvent[];
  /** True when an event was emitted: open a radio window this cycle. */
  readonly forcesWindow: boolean;
}

export const MAX_DEBOUNCE = 100;

export function parseThresholdRuleSpec(raw: unknown, path = 'rule'): ThresholdRuleSpec {
  const obj = aObject(raw, path, ['id', 'channel', 'high', 'low', 'hysteresis', 'debounce']);
  const id = aString(obj['id'], `${path}.id`, NAME_PATTERN);
  const channel = aString(obj['channel'], `${path}.channel`, NAME_PATTERN);
  const high = optionalNumber(obj, 'high', path);
  const low = optionalNumber(obj, 'low', path);
  if (high === undefined && low === undefined) throw configError(path, 'give high, low or both');
  if (high !== undefined && low !== undefined && !(low < high)) throw configError(path, 'low must be below high');
  const hysteresis = optionalNumber(obj, 'hysteresis', path, { min: 0 }) ?? 0;
  const debounce = optionalNumber(obj, 'debounce', path, { integer: true, min: 1, max: MAX_DEBOUNCE }) ?? 1;
  const spec: { -readonly [K in keyof ThresholdRuleSpec]: ThresholdRuleSpec[K] } = { id, channel, hysteresis, debounce };
  if (high !== undefined) spec.high = high;
  if (low !== undefined) spec.low = low;
  return spec;
}

/** One level's state machine. */
class Level {
  active = false;
  count = 0;
  constructor(
    readonly level: AlarmLevel,
    readonly threshold: number,
    readonly clearLine: number,
    readonly debounce: number,
  ) {}

  /** The event kind this sample completes, if any. */
  step(v: number): AlarmKind | undefined {
    const high = this.level === 'high';
    const counts = this.active ? (high ? v < this.clearLine : v > this.clearLine) : high ? v > this.threshold : v < this.threshold;
    if (!counts) {
      this.count = 0;
      return undefined;
    }
    this.count += 1;
    if (this.count < this.debounce) return undefined;
    this.count = 0;
    this.active = !this.active;
    return this.active ? 'raise' : 'clear';
  }
}

export class ThresholdRule {
  readonly spec: ThresholdRuleSpec;
  readonly id: string;
  readonly channel: string;
  readonly #high: Level | undefined;
  readonly #low: Level | undefined;

  constructor(spec: ThresholdRuleSpec, path = 'rule') {
    const s = parseThresholdRuleSpec(spec, path);
    this.spec = s;
    this.id = s.id;
    this.channel = s.channel;
    const h = s.hysteresis ?? 0;
    const n = s.debounce ?? 1;
    this.#high = s.high === undefined ? undefined : new Level('high', s.high, s.high - h, n);
    this.#low = s.low === undefined ? undefined : new Level('low', s.low, s.low + h, n);
  }

  step(value: number, nowMs: number): RuleStep {
    const events: AlarmEvent[] = [];
    if (Number.isFinite(value)) {
      // High before low, as the events are listed; plain code: this runs every cycle on XS.
      const high = this.#high, low = this.#low;
      if (high !== undefined) {
        const kind = high.step(value);
        if (kind !== undefined) events.push({ ruleId: this.id, channel: this.channel, kind, level: 'high', value, timeMs: nowMs });
      }
      if (low !== undefined) {
        const kind = low.step(value);
        if (kind !== undefined) events.push({ ruleId: this.id, channel: this.channel, kind, level: 'low', value, timeMs: nowMs });
      }
    }
    return { events, forcesWindow: events.length > 0 };
  }

  /** Which levels are raised now. */
  active(): { high: boolean; low: boolean } {
    return { high: this.#high?.active ?? false, low: this.#low?.active ?? false };
  }

  snapshot(): number[] {
    const h = this.#high, l = this.#low;
    return [h !== undefined && h.active ? 1 : 0, h === undefined ? 0 : h.count, l !== undefined && l.active ? 1 : 0, l === undefined ? 0 : l.count];
  }

  /** Validates first and changes nothing on error (ERR_STATE_CORRUPT). */
  restore(state: readonly number[]): void {
    const s = aState(state, `rule ${this.id}`, 4, 4);
    const h = this.#high, l = this.#low;
    const highActive = s[0]!, highCount = s[1]!, lowActive = s[2]!, lowCount = s[3]!;
    this.#check(h, highActive, highCount);
    this.#check(l, lowActive, lowCount);
    if (h !== undefined) {
      h.active = highActive === 1;
      h.count = highCount;
    }
    if (l !== undefined) {
      l.active = lowActive === 1;
      l.count = lowCount;
    }
  }

  #check(l: Level | undefined, active: number, count: number): void {
    if (active !== 0 && active !== 1) throw stateError(`rule ${this.id}: active flag ${active}`);
    const limit = l === undefined ? 1 : l.debounce;
    if (!Number.isInteger(count) || count < 0 || count >= limit) throw stateError(`rule ${this.id}: count ${count}`);
    if (l === undefined && active !== 0) throw stateError(`rule ${this.id}: state for a level that is not configured`);
  }
}
