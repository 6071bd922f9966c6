/**
 * POLICY_REGISTRY: report-policy specs (config as data) to classes, as FILTER_REGISTRY.
 * anyOf / allOf nest up to MAX_POLICY_DEPTH levels with up to MAX_POLICY_PARTS parts each,
 * which bounds recursion and the retained state.
 */
import type { PolicyType, ReportPolicy } from './policy.js';
import { AlwaysPolicy, parseAlwaysSpec, type AlwaysSpec } from './always.js';
import { AllOfPolicy, AnyOfPolicy } from './combinators.js';
import { DeadbandPolicy, parseDeadbandSpec, type DeadbandSpec } from './deadband.js';
import { HeartbeatPolicy, parseHeartbeatSpec, type HeartbeatSpec } from './heartbeat.js';
import { parseThrottleSpec, ThrottlePolicy, type ThrottleSpec } from './throttle.js';
import { aObject, anArray, configError, specType } from '../validate.js';

export type LeafPolicySpec = DeadbandSpec | ThrottleSpec | HeartbeatSpec;
export interface AnyOfSpec {
  readonly type: 'anyOf';
  readonly of: readonly PartPolicySpec[];
}
export interface AllOfSpec {
  readonly type: 'allOf';
  readonly of: readonly PartPolicySpec[];
}
/** What may appear inside anyOf / allOf. */
export type PartPolicySpec = LeafPolicySpec | AnyOfSpec | AllOfSpec;
export type ReportPolicySpec = AlwaysSpec | PartPolicySpec;

export const MAX_POLICY_DEPTH = 4;
export const MAX_POLICY_PARTS = 8;

export interface PolicyEntry {
  parse(raw: unknown, path: string, depth: number): ReportPolicySpec;
  create(spec: ReportPolicySpec, path: string): ReportPolicy;
}

function parseCombinator(type: 'anyOf' | 'allOf') {
  return (raw: unknown, path: string, depth: number): AnyOfSpec | AllOfSpec => {
    if (depth >= MAX_POLICY_DEPTH) throw configError(path, `policies nest at most ${MAX_POLICY_DEPTH} deep`);
    const obj = aObject(raw, path, ['type', 'of']);
    const of = anArray(obj['of'], `${path}.of`, 1, MAX_POLICY_PARTS).map((part, i) => {
      const at = `${path}.of[${i}]`;
      if (specType(part, at) === 'always') throw configError(`${at}.type`, '"always" is only allowed as the whole policy');
      return parsePolicyAt(part, at, depth + 1) as PartPolicySpec;
    });
    return { type, of };
  };
}

function createParts(spec: ReportPolicySpec, path: string): ReportPolicy[] {
  return (spec as AnyOfSpec).of.map((part, i) => createReportPolicy(part, `${path}.of[${i}]`));
}

export const POLICY_REGISTRY: Readonly<Record<PolicyType, PolicyEntry>> = Object.freeze({
  always: Object.freeze({ parse: parseAlwaysSpec, create: (s: ReportPolicySpec, p: string) => new AlwaysPolicy(s as AlwaysSpec, p) }),
  deadband: Object.freeze({ parse: parseDeadbandSpec, create: (s: ReportPolicySpec, p: string) => new DeadbandPolicy(s as DeadbandSpec, p) }),
  throttle: Object.freeze({ parse: parseThrottleSpec, create: (s: ReportPolicySpec, p: string) => new ThrottlePolicy(s as ThrottleSpec, p) }),
  heartbeat: Object.freeze({ parse: parseHeartbeatSpec, create: (s: ReportPolicySpec, p: string) => new HeartbeatPolicy(s as HeartbeatSpec, p) }),
  anyOf: Object.freeze({ parse: parseCombinator('anyOf'), create: (s: ReportPolicySpec, p: string) => new AnyOfPolicy(createParts(s, p)) }),
  allOf: Object.freeze({ parse: parseCombinator('allOf'), create: (s: ReportPolicySpec, p: string) => new AllOfPolicy(createParts(s, p)) }),
});

function lookup(raw: unknown, path: string): PolicyEntry {
  const type = specType(raw, path);
  if (!Object.prototype.hasOwnProperty.call(POLICY_REGISTRY, type)) {
    throw configError(`${path}.type`, `unknown report policy "${type}" (known: ${Object.keys(POLICY_REGISTRY).join(', ')})`);
  }
  return POLICY_REGISTRY[type as PolicyType];
}

function parsePolicyAt(raw: unknown, path: string, depth: number): ReportPolicySpec {
  return lookup(raw, path).parse(raw, path, depth);
}

/** Checks a raw policy spec (ERR_CONFIG_INVALID with the field's path); returns a normalised copy. */
export function parseReportPolicySpec(raw: unknown, path = 'report'): ReportPolicySpec {
  return parsePolicyAt(raw, path, 0);
}

/** Checks and builds a policy tree. */
export function createReportPolicy(raw: ReportPolicySpec | unknown, path = 'report'): ReportPolicy {
  const spec = parseReportPolicySpec(raw, path);
  return lookup(spec, path).create(spec, path);
}

/**
 * The usual composition as a spec: report when (changed beyond the deadband AND the minimum
 * interval elapsed) OR the heartbeat is due. Parts left out are left out of the tree; with
 * nothing given it is `always`.
 */
export function standardReportPolicy(options: {
  abs?: number;
  rel?: number;
  minIntervalMs?: number;
  maxSilenceMs?: number;
}): ReportPolicySpec {
  const change: LeafPolicySpec[] = [];
  if (options.abs !== undefined) change.push({ type: 'deadband', abs: options.abs });
  if (options.rel !== undefined) change.push({ type: 'deadband', rel: options.rel });
  if (options.minIntervalMs !== undefined) change.push({ type: 'throttle', minIntervalMs: options.minIntervalMs });
  const parts: PartPolicySpec[] = [];
  if (change.length === 1) parts.push(change[0]!);
  if (change.length > 1) parts.push({ type: 'allOf', of: change });
  if (options.maxSilenceMs !== undefined) parts.push({ type: 'heartbeat', maxSilenceMs: options.maxSilenceMs });
  const spec: ReportPolicySpec = parts.length === 0 ? { type: 'always' } : parts.length === 1 ? parts[0]! : { type: 'anyOf', of: parts };
  return parseReportPolicySpec(spec, 'standardReportPolicy');
}
