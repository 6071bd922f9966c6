/**
 * ClockPort on Node: the system clock, and a manual (virtual) clock for tests and the simulator.
 * Both keep the port's meaning: wallMs is the device's own RTC (settable, may drift), monotonicMs
 * never goes backwards.
 */
import type { ClockPort } from '../../firmware/index.js';

/** Real time: Date.now() plus the offset set through setWallMs, and performance.now(). */
export function createSystemClock(): ClockPort {
  let offsetMs = 0;
  return {
    wallMs: () => Date.now() + offsetMs,
    monotonicMs: () => performance.now(),
    setWallMs(utcMs) {
      assertFinite(utcMs, 'setWallMs');
      offsetMs = utcMs - Date.now();
    },
  };
}

export interface ManualClock extends ClockPort {
  /** Lets time pass: monotonic by `ms`, the wall clock by `ms` scaled by the drift. */
  advance(ms: number): void;
  /** True UTC ms (what a perfect clock would say), for the simulator's measurements. */
  trueUtcMs(): number;
}

export interface ManualClockOptions {
  /** True UTC at start (default 2025-01-01T00:00:00Z). */
  utcMs?: number;
  /** The device RTC at start; default equals utcMs. An ESP32 after a cold boot reads near 0. */
  wallMs?: number;
  monotonicMs?: number;
  /** RTC drift in parts per million (positive runs fast). */
  driftPpm?: number;
}

export const DEFAULT_EPOCH_MS = Date.UTC(2025, 0, 1);

export function createManualClock(options: ManualClockOptions = {}): ManualClock {
  let utc = options.utcMs ?? DEFAULT_EPOCH_MS;
  let wall = options.wallMs ?? utc;
  let mono = options.monotonicMs ?? 0;
  const rate = 1 + (options.driftPpm ?? 0) / 1e6;
  return {
    wallMs: () => wall,
    monotonicMs: () => mono,
    setWallMs(utcMs) {
      assertFinite(utcMs, 'setWallMs');
      wall = utcMs;
    },
    advance(ms) {
      assertFinite(ms, 'advance');
      if (ms < 0) throw new RangeError(`advance(${ms}): time does not run backwards`);
      utc += ms;
      mono += ms;
      wall += ms * rate;
    },
    trueUtcMs: () => utc,
  };
}

function assertFinite(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${what}: expected a finite number, got ${String(value)}`);
}
