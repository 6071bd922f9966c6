/**
 * Guards shared by the sensing specs (filters, report policies, aggregates, rules, planner).
 *
 * Config arrives as data (remote config at check-in), so every spec is checked field by field:
 * a plain object, only known keys (an unknown key is an error, not ignored, so a typo such as
 * `windw` cannot silently fall back to a default), finite numbers within range. Errors are
 * ERR_CONFIG_INVALID and carry the path of the offending field. Saved state (deep sleep) is
 * checked the same way and fails with ERR_STATE_CORRUPT.
 */
import { FirmwareError } from '../errors.js';

/** Channel and rule names: SenML name characters (RFC 8428 4.5.1), at most 32. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:._/-]{0,31}$/;

export type SpecObject = Readonly<Record<string, unknown>>;

export function configError(path: string, detail: string): FirmwareError {
  return new FirmwareError('ERR_CONFIG_INVALID', `${path}: ${detail}`, { path });
}

export function stateError(detail: string): FirmwareError {
  return new FirmwareError('ERR_STATE_CORRUPT', detail);
}

function isPlainObject(raw: unknown): raw is Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const proto: unknown = Object.getPrototypeOf(raw);
  return proto === Object.prototype || proto === null;
}

/** A plain object whose keys are all in `allowed`. */
export function aObject(raw: unknown, path: string, allowed: readonly string[]): SpecObject {
  if (!isPlainObject(raw)) throw configError(path, 'expected an object');
  for (const key of Object.keys(raw)) {
    if (allowed.indexOf(key) < 0) throw configError(`${path}.${key}`, 'unknown field');
  }
  return raw;
}

export interface NumberRule {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  integer?: boolean;
}

export function aNumber(raw: unknown, path: string, rule: NumberRule = {}): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw configError(path, 'expected a finite number');
  if (rule.integer === true && !Number.isInteger(raw)) throw configError(path, 'expected an integer');
  if (rule.min !== undefined && raw < rule.min) throw configError(path, `must be >= ${rule.min}`);
  if (rule.above !== undefined && raw <= rule.above) throw configError(path, `must be > ${rule.above}`);
  if (rule.max !== undefined && raw > rule.max) throw configError(path, `must be <= ${rule.max}`);
  return raw;
}

export function optionalNumber(obj: SpecObject, key: string, path: string, rule: NumberRule = {}): number | undefined {
  const raw = obj[key];
  return raw === undefined ? undefined : aNumber(raw, `${path}.${key}`, rule);
}

export function requiredNumber(obj: SpecObject, key: string, path: string, rule: NumberRule = {}): number {
  if (obj[key] === undefined) throw configError(`${path}.${key}`, 'required');
  return aNumber(obj[key], `${path}.${key}`, rule);
}

export function aString(raw: unknown, path: string, pattern?: RegExp): string {
  if (typeof raw !== 'string' || raw.length === 0) throw configError(path, 'expected a non-empty string');
  if (pattern !== undefined && !pattern.test(raw)) throw configError(path, `must match ${pattern.source}`);
  return raw;
}

export function aOneOf<T extends string>(raw: unknown, path: string, choices: readonly T[]): T {
  for (const choice of choices) if (raw === choice) return choice;
  throw configError(path, `expected one of ${choices.join(', ')}`);
}

export function anArray(raw: unknown, path: string, minLength: number, maxLength: number): readonly unknown[] {
  if (!Array.isArray(raw)) throw configError(path, 'expected an array');
  if (raw.length < minLength || raw.length > maxLength) {
    throw configError(path, `expected ${minLength}..${maxLength} entries, got ${raw.length}`);
  }
  return raw;
}

/** The `type` field of a tagged spec, before the per-type check of the other fields. */
export function specType(raw: unknown, path: string): string {
  if (!isPlainObject(raw)) throw configError(path, 'expected an object');
  return aString(raw['type'], `${path}.type`);
}

// ---- saved state ----

/** State must be an array of finite numbers whose length is within [min, max]. */
/**
 * Two-phase restore of composite state (a channel's chain, a policy tree): 'check' validates
 * only; 'apply' assigns a state that passed 'check' without validating it again. Composites check
 * every part before applying any, so all-or-nothing needs no rollback copy. Omitted: both.
 */
export type RestorePhase = 'check' | 'apply';

export function aState(state: unknown, what: string, min: number, max: number): readonly number[] {
  if (!Array.isArray(state)) throw stateError(`${what}: expected an array`);
  if (state.length < min || state.length > max) {
    throw stateError(`${what}: expected ${min}..${max} numbers, got ${state.length}`);
  }
  for (let i = 0; i < state.length; i++) {
    const item: unknown = state[i];
    if (typeof item !== 'number' || !Number.isFinite(item)) throw stateError(`${what}: expected finite numbers`);
  }
  return state as readonly number[];
}

/** A counter in [0, limit). */
export function aStateCounter(value: number, what: string, limit: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= limit) throw stateError(`${what}: counter ${value} outside 0..${limit - 1}`);
  return value;
}
