/**
 * Boundary guards for wire messages (check-in, provisioning): one small family, as noble writes
 * them, each throwing ERR_MESSAGE_INVALID with the field path, so the server can answer 400 with
 * the reason and the device can log it. Messages are plain data: objects with text keys, strings,
 * finite numbers, booleans, Uint8Array for bytes.
 */
import { FirmwareError } from '../errors.js';

export function invalid(path: string, reason: string): FirmwareError {
  return new FirmwareError('ERR_MESSAGE_INVALID', `${path}: ${reason}`, { path, reason });
}

export type Fields = Record<string, unknown>;

/** A plain object with only the listed keys (unknown keys refused when `strict`). */
export function aObject(value: unknown, path: string, known: readonly string[], strict: boolean): Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw invalid(path, 'expected an object');
  }
  if (strict) {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) throw invalid(path === '' ? key : `${path}.${key}`, 'unknown field');
    }
  }
  return value as Fields;
}

export function aString(value: unknown, path: string, options: { min?: number; max: number; pattern?: RegExp }): string {
  if (typeof value !== 'string') throw invalid(path, 'expected a string');
  if (value.length < (options.min ?? 1)) throw invalid(path, `shorter than ${options.min ?? 1}`);
  if (value.length > options.max) throw invalid(path, `longer than ${options.max}`);
  if (options.pattern !== undefined && !options.pattern.test(value)) throw invalid(path, `does not match ${options.pattern.source}`);
  return value;
}

export function aNumber(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(path, 'expected a finite number');
  if (value < min || value > max) throw invalid(path, `outside ${min}..${max}`);
  return value;
}

export function anInteger(value: unknown, path: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(path, 'expected an integer');
  if (value < min || value > max) throw invalid(path, `outside ${min}..${max}`);
  return value;
}

export function aBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalid(path, 'expected a boolean');
  return value;
}

export function aOneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(path, `expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function someBytes(value: unknown, path: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(path, 'expected bytes');
  if (value.length < min || value.length > max) throw invalid(path, `length outside ${min}..${max}`);
  // A copy: a decoder may hand out views into its input buffer, which the caller may reuse.
  return new Uint8Array(value);
}

export function anArray(value: unknown, path: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) throw invalid(path, 'expected an array');
  if (value.length < min || value.length > max) throw invalid(path, `length outside ${min}..${max}`);
  return value;
}

/** True for values that survive a JSON and a CBOR round trip unchanged (config documents). */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 16) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isPlainData(item, depth + 1));
  if (typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.keys(value).every((key) => isPlainData((value as Fields)[key], depth + 1));
  }
  return false;
}
