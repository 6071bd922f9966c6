import { describe, expect, it } from 'vitest';
import { createManualClock, createSystemClock } from '../../../hosts/node/index.js';
import { describeClockContract } from '../../contract/clock.js';

async function realWait(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) await new Promise((r) => setTimeout(r, 1));
}

describeClockContract('node system clock', () => ({ clock: createSystemClock(), elapse: realWait }));
describeClockContract('node manual clock', () => {
  const clock = createManualClock();
  return { clock, elapse: async (ms) => clock.advance(ms) };
});

describe('manual clock', () => {
  it('starts where told and advances both clocks', () => {
    const clock = createManualClock({ utcMs: 1_000_000, monotonicMs: 5 });
    clock.advance(250);
    expect(clock.wallMs()).toBe(1_000_250);
    expect(clock.monotonicMs()).toBe(255);
    expect(clock.trueUtcMs()).toBe(1_000_250);
  });
  it('an ESP32 after a cold boot: RTC near 0 while true UTC runs on', () => {
    const clock = createManualClock({ utcMs: Date.UTC(2025, 5, 1), wallMs: 0 });
    clock.advance(1000);
    expect(clock.wallMs()).toBe(1000);
    expect(clock.trueUtcMs()).toBe(Date.UTC(2025, 5, 1) + 1000);
  });
  it('drifts by the given ppm on the wall clock only', () => {
    const clock = createManualClock({ utcMs: 0, driftPpm: 100 });
    clock.advance(1_000_000);
    expect(clock.wallMs()).toBeCloseTo(1_000_100, 6);
    expect(clock.monotonicMs()).toBe(1_000_000);
    expect(clock.trueUtcMs()).toBe(1_000_000);
  });
  it('refuses to run backwards', () => {
    const clock = createManualClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(TypeError);
  });
});
