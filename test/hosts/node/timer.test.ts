import { describe, expect, it } from 'vitest';
import { createManualClock, createSystemTimer, createVirtualTimer } from '../../../hosts/node/index.js';
import { describeTimerContract } from '../../contract/timer.js';

describeTimerContract('node setTimeout timer', () => ({
  timer: createSystemTimer(),
  elapse: (ms) => new Promise((r) => setTimeout(r, ms)),
}));
describeTimerContract('node virtual timer', () => {
  const timer = createVirtualTimer(createManualClock());
  return { timer, elapse: async (ms) => timer.advance(ms) };
});

describe('virtual timer', () => {
  it('fires each timer at its own time on the clock', () => {
    const clock = createManualClock({ monotonicMs: 0 });
    const timer = createVirtualTimer(clock);
    const seen: number[] = [];
    timer.set(() => seen.push(clock.monotonicMs()), 30);
    timer.set(() => seen.push(clock.monotonicMs()), 10);
    expect(timer.nextDueMs()).toBe(10);
    timer.advance(100);
    expect(seen).toEqual([10, 30]);
    expect(clock.monotonicMs()).toBe(100);
    expect(timer.pending()).toBe(0);
  });
  it('ties fire in the order they were set; runNext steps one at a time', () => {
    const clock = createManualClock({ monotonicMs: 0 });
    const timer = createVirtualTimer(clock);
    const seen: string[] = [];
    timer.set(() => seen.push('a'), 5);
    timer.set(() => seen.push('b'), 5);
    expect(timer.runNext()).toBe(true);
    expect(seen).toEqual(['a']);
    expect(timer.runNext()).toBe(true);
    expect(timer.runNext()).toBe(false);
    expect(seen).toEqual(['a', 'b']);
    expect(clock.monotonicMs()).toBe(5);
  });
  it('a timer set inside a callback within the window also fires', () => {
    const clock = createManualClock({ monotonicMs: 0 });
    const timer = createVirtualTimer(clock);
    const seen: number[] = [];
    timer.set(() => timer.set(() => seen.push(clock.monotonicMs()), 20), 10);
    timer.advance(25);
    expect(seen).toEqual([]);
    timer.advance(5);
    expect(seen).toEqual([30]);
  });
});
