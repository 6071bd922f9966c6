import { describe, expect, it } from 'vitest';
import type { ClockPort } from '../../firmware/index.js';
import { failureCode, type MaybeAsync } from './async.js';

/**
 * Contract of the ClockPort (firmware/ports/clock.ts). `elapse(ms)` lets at least `ms` of
 * time pass for this clock (a real wait for a system clock, advance() for a manual one).
 */
export interface ClockHarness { clock: ClockPort | MaybeAsync<ClockPort>; elapse(ms: number): Promise<void> }

export function describeClockContract(name: string, factory: () => ClockHarness | Promise<ClockHarness>): void {
  describe(`ClockPort contract: ${name}`, () => {
    it('reads finite wall and monotonic times', async () => {
      const { clock } = await factory();
      expect(Number.isFinite(await clock.wallMs())).toBe(true);
      expect(Number.isFinite(await clock.monotonicMs())).toBe(true);
    });

    it('monotonic time never goes backwards and moves when time passes', async () => {
      const { clock, elapse } = await factory();
      const a = await clock.monotonicMs();
      const b = await clock.monotonicMs();
      expect(b).toBeGreaterThanOrEqual(a);
      await elapse(5);
      expect((await clock.monotonicMs()) - a).toBeGreaterThanOrEqual(5);
    });

    it('setWallMs moves the wall clock but not the monotonic clock', async () => {
      const { clock } = await factory();
      const mono = await clock.monotonicMs();
      const target = Date.UTC(2030, 5, 1, 12);
      await clock.setWallMs(target);
      const wall = await clock.wallMs();
      expect(wall).toBeGreaterThanOrEqual(target);
      expect(wall - target).toBeLessThan(1000);
      expect(await clock.monotonicMs()).toBeGreaterThanOrEqual(mono);
      // Backwards too: the server may correct a clock that runs fast.
      await clock.setWallMs(target - 3_600_000);
      expect(Math.abs((await clock.wallMs()) - (target - 3_600_000))).toBeLessThan(1000);
      expect(await clock.monotonicMs()).toBeGreaterThanOrEqual(mono);
    });

    it('the wall clock keeps running after setWallMs', async () => {
      const { clock, elapse } = await factory();
      await clock.setWallMs(Date.UTC(2030, 0, 1));
      const before = await clock.wallMs();
      await elapse(10);
      expect(await clock.wallMs()).toBeGreaterThan(before);
    });

    it('refuses a non-finite wall time and keeps the old one', async () => {
      const { clock } = await factory();
      await clock.setWallMs(Date.UTC(2030, 0, 1));
      expect(await failureCode(() => clock.setWallMs(Number.NaN))).toBeDefined();
      expect(await failureCode(() => clock.setWallMs(Number.POSITIVE_INFINITY))).toBeDefined();
      const wall = await clock.wallMs();
      expect(Number.isFinite(wall)).toBe(true);
      expect(Math.abs(wall - Date.UTC(2030, 0, 1))).toBeLessThan(1000);
    });
  });
}
