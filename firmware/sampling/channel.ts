/**
 * A channel: one quantity from one sensor, through its filter chain and then either a report
 * policy or a windowed aggregate, to readings (design section 3, steps 2-3).
 *
 *   raw sample -> filters (each may end the chain) -> policy  -> reading kind 'report' | 'heartbeat'
 *                                                 \-> aggregate -> readings kind 'aggregate'
 *
 * Non-finite numbers end the chain (a NaN from a driver counts as "not read"; a filter whose
 * output overflows drops the sample), so every saved value is finite.
 *
 * A reading's kind is 'heartbeat' when time alone forced it (the policy would have reported
 * any value: nowMs >= nextDueMs()), 'report' when the value mattered.
 *
 * snapshot() is one CBOR array (firmware/codec/cbor.ts, floats in their shortest exact form):
 *   [format 1, config fingerprint, [filter states...], policy or aggregate state]
 * The fingerprint (FNV-1a of the normalised spec) makes a state saved under another config (a
 * remote config update changed the chain) fail with ERR_STATE_CORRUPT instead of being
 * misread; the caller then starts the channel fresh.
 */
import { decode, encode } from '../codec/cbor.js';
import { parseAggregateSpec, WindowAggregate, type AggregateSpec, type AggregateStat, type AggregateSummary } from './aggregate.js';
import type { Filter } from './filters/filter.js';
import { createFilter, parseFilterChain, type FilterSpec } from './filters/registry.js';
import type { PolicyState, ReportPolicy } from './policy/policy.js';
import { createReportPolicy, parseReportPolicySpec, type ReportPolicySpec } from './policy/registry.js';
import { aObject, aString, configError, NAME_PATTERN, stateError } from './validate.js';

export type ReadingKind = 'report' | 'heartbeat' | 'aggregate';

export interface Reading {
  /** Channel name; for aggregates `<channel>_<stat>` (SenML name characters, RFC 8428 4.5.1). */
  readonly name: string;
  readonly value: number;
  /** Corrected UTC ms of the sample; for an aggregate, the start of its window. */
  readonly timeMs: number;
  readonly kind: ReadingKind;
  /** Aggregates only. */
  readonly stat?: AggregateStat;
}

export interface ChannelSpec {
  /** SenML-safe: starts alphanumeric, then [A-Za-z0-9:._/_-], at most 32 characters. */
  readonly name: string;
  readonly filters?: readonly FilterSpec[];
  /** Report policy; default `{ type: 'always' }` when no aggregate is given. */
  readonly report?: ReportPolicySpec;
  /** Instead of a report policy: one summary per period. */
  readonly aggregate?: AggregateSpec;
}

export interface ChannelStep {
  /** The filtered value, or undefined when the chain ended (for the local rules). */
  readonly value: number | undefined;
  readonly readings: readonly Reading[];
}

/** A time the planner must wake the channel for, and the period it repeats with (to stretch it). */
export interface ChannelDue {
  readonly dueMs: number;
  readonly periodMs: number;
}

export const CHANNEL_STATE_FORMAT = 1;

export function parseChannelSpec(raw: unknown, path = 'channel'): ChannelSpec {
  const obj = aObject(raw, path, ['name', 'filters', 'report', 'aggregate']);
  const name = aString(obj['name'], `${path}.name`, NAME_PATTERN);
  const filters = obj['filters'] === undefined ? [] : parseFilterChain(obj['filters'], `${path}.filters`);
  if (obj['report'] !== undefined && obj['aggregate'] !== undefined) {
    throw configError(path, 'give a report policy or an aggregate, not both');
  }
  if (obj['aggregate'] !== undefined) {
    return { name, filters, aggregate: parseAggregateSpec(obj['aggregate'], `${path}.aggregate`) };
  }
  const report = obj['report'] === undefined ? { type: 'always' as const } : parseReportPolicySpec(obj['report'], `${path}.report`);
  return { name, filters, report };
}

/** FNV-1a, 32 bits, over UTF-16 code units: deterministic on every engine (Math.imul). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Channel {
  readonly name: string;
  readonly spec: ChannelSpec;
  readonly #filters: readonly Filter[];
  readonly #policy: ReportPolicy | undefined;
  readonly #aggregate: WindowAggregate | undefined;
  readonly #fingerprint: number;
  #lastReportMs: number | undefined;

  constructor(spec: ChannelSpec, path = 'channel') {
    const checked = parseChannelSpec(spec, path);
    this.spec = checked;
    this.name = checked.name;
    this.#filters = (checked.filters ?? []).map((f, i) => createFilter(f, `${path}.filters[${i}]`));
    this.#policy = checked.report === undefined ? undefined : createReportPolicy(checked.report, `${path}.report`);
    this.#aggregate = checked.aggregate === undefined ? undefined : new WindowAggregate(checked.aggregate, `${path}.aggregate`);
    // JSON.stringify of numbers is exactly specified (ECMA-262 Number::toString), so the
    // fingerprint is the same on XS and V8. The name is left out: renaming keeps the state.
    this.#fingerprint = fnv1a(JSON.stringify([checked.filters, checked.report ?? null, checked.aggregate ?? null]));
  }

  /** Runs one raw sample through the chain. */
  push(raw: number, nowMs: number): ChannelStep {
    let value: number | undefined = raw;
    const list = this.#filters;
    for (let i = 0; i < list.length; i++) {
      if (!Number.isFinite(value)) break;
      value = list[i]!.push(value, nowMs);
      if (value === undefined) break;
    }
    if (value === undefined || !Number.isFinite(value)) return { value: undefined, readings: [] };
    if (this.#aggregate !== undefined) {
      return { value, readings: this.#summaryReadings(this.#aggregate.push(value, nowMs)) };
    }
    const policy = this.#policy!;
    if (!policy.decide(value, nowMs)) return { value, readings: [] };
    const due = policy.nextDueMs();
    const kind: ReadingKind = due !== undefined && nowMs >= due ? 'heartbeat' : 'report';
    policy.reported(value, nowMs);
    this.#lastReportMs = nowMs;
    return { value, readings: [{ name: this.name, value, timeMs: nowMs, kind }] };
  }

  /** Closes an aggregate window whose end has passed (call when woken for nextDue()). */
  poll(nowMs: number): Reading[] {
    return this.#aggregate === undefined ? [] : this.#summaryReadings(this.#aggregate.close(nowMs));
  }

  /** When the heartbeat forces a report or the aggregate window closes; undefined if never. */
  nextDueMs(): number | undefined {
    return this.#aggregate !== undefined ? this.#aggregate.nextDueMs() : this.#policy!.nextDueMs();
  }

  /** nextDueMs() with the period it repeats with, as the planner's report due. */
  due(): ChannelDue | undefined {
    const dueMs = this.nextDueMs();
    if (dueMs === undefined) return undefined;
    if (this.#aggregate !== undefined) return { dueMs, periodMs: this.#aggregate.periodMs };
    // A policy's due counts from the last report (heartbeat: last + maxSilence).
    const since = this.#lastReportMs;
    return { dueMs, periodMs: since === undefined || dueMs <= since ? 0 : dueMs - since };
  }

  #summaryReadings(summary: AggregateSummary | undefined): Reading[] {
    if (summary === undefined) return [];
    return this.#aggregate!.stats.map((stat) => ({
      name: `${this.name}_${stat}`,
      value: summary[stat],
      timeMs: summary.startMs,
      kind: 'aggregate' as const,
      stat,
    }));
  }

  /** The whole chain's state as plain arrays (for embedding into a larger record). */
  state(): unknown[] {
    const tail = this.#aggregate !== undefined ? this.#aggregate.snapshot() : [this.#lastReportMs ?? null, this.#policy!.snapshot()];
    const list = this.#filters;
    const filters: number[][] = [];
    for (let i = 0; i < list.length; i++) filters.push(list[i]!.snapshot());
    return [CHANNEL_STATE_FORMAT, this.#fingerprint, filters, tail];
  }

  /** Restores from state(); validates everything first and changes nothing on error. */
  restoreState(state: unknown): void {
    if (!Array.isArray(state) || state.length !== 4) throw stateError(`channel ${this.name}: expected [format, fingerprint, filters, tail]`);
    const format: unknown = state[0], fingerprint: unknown = state[1], filters: unknown = state[2], tail: unknown = state[3];
    if (format !== CHANNEL_STATE_FORMAT) throw stateError(`channel ${this.name}: unknown state format ${String(format)}`);
    if (fingerprint !== this.#fingerprint) throw stateError(`channel ${this.name}: state saved under another configuration`);
    if (!Array.isArray(filters) || filters.length !== this.#filters.length) throw stateError(`channel ${this.name}: filter count`);
    if (!Array.isArray(tail)) throw stateError(`channel ${this.name}: expected a policy or aggregate state`);
    let lastReportMs: number | undefined;
    if (this.#policy !== undefined) {
      if (tail.length !== 2) throw stateError(`channel ${this.name}: expected [lastReportMs, policy]`);
      const last: unknown = tail[0];
      if (last !== null && (typeof last !== 'number' || !Number.isFinite(last))) throw stateError(`channel ${this.name}: lastReportMs`);
      lastReportMs = last === null ? undefined : last;
    }
    // All or nothing without a rollback copy: every part checks its state before any is set
    // (each part's restore validates before it assigns, so the second pass cannot fail).
    const list = this.#filters;
    const agg = this.#aggregate;
    for (let i = 0; i < list.length; i++) list[i]!.restore(filters[i] as readonly number[], 'check');
    if (agg !== undefined) agg.restore(tail, 'check');
    else this.#policy!.restore(tail[1] as PolicyState, 'check');
    for (let i = 0; i < list.length; i++) list[i]!.restore(filters[i] as readonly number[], 'apply');
    if (agg !== undefined) agg.restore(tail, 'apply');
    else this.#policy!.restore(tail[1] as PolicyState, 'apply');
    this.#lastReportMs = lastReportMs;
  }

  /** Compact CBOR record of the whole chain, for the retained record. */
  snapshot(): Uint8Array {
    return encode(this.state());
  }

  /** Restores from snapshot(); malformed bytes (CBOR or shape) are ERR_STATE_CORRUPT. */
  restore(bytes: Uint8Array): void {
    let state: unknown;
    try {
      state = decode(bytes);
    } catch (error) {
      throw stateError(`channel ${this.name}: ${(error as Error).message}`);
    }
    this.restoreState(state);
  }
}

