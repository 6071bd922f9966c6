import { expect } from 'vitest';
import type { ErrorCode } from '../../../../firmware/errors.js';
import { isFirmwareError } from '../../../../firmware/errors.js';
import type { Filter } from '../../../../firmware/sampling/filters/filter.js';

/** Runs [input, expected] rows through a filter (time = row index * 1000 ms). */
export function expectTrace(filter: Filter, rows: readonly (readonly [number, number | undefined])[]): void {
  rows.forEach(([input, expected], i) => {
    expect(filter.push(input, i * 1000), `row ${i}: push(${input})`).toBe(expected);
  });
}

export function expectCode(fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a FirmwareError').toBeDefined();
  expect(isFirmwareError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
}
