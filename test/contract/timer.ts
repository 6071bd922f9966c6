import { describe, expect, it } from 'vitest';
import type { TimerPort } from '../../firmware/index.js';

/**
 * Contract of the TimerPort (firmware/ports/timer.ts). `elapse(ms)` lets `ms` of time pass and
 * runs whatever became due (a real wait for setTimeout timers, advance() for virtual ones).
 */
export interface TimerHarness { timer: TimerPort; elapse(ms: number): Promise<void> }

export function describeTimerContract(name: string, factory: () => TimerHarness | Promise<TimerHarness>): void {
  describe(`TimerPort contract: ${name}`, () => {
    it('fires once, not before its time', async () => {
      const { timer, elapse } = await factory();
      let fired = 0;
      timer.set(() => fired++, 40);
      expect(fired).toBe(0); // never synchronously
      await elapse(60);
      expect(fired).toBe(1);
      await elapse(60);
      expect(fired).toBe(1);
    });

    it('a zero delay fires after the current call, not inside set()', async () => {
      const { timer, elapse } = await factory();
      const order: string[] = [];
      timer.set(() => order.push('timer'), 0);
      order.push('after set');
      await elapse(5);
      expect(order).toEqual(['after set', 'timer']);
    });

    it('fires in due order', async () => {
      const { timer, elapse } = await factory();
      const order: number[] = [];
      timer.set(() => order.push(30), 30);
      timer.set(() => order.push(10), 10);
      timer.set(() => order.push(20), 20);
      await elapse(80);
      expect(order).toEqual([10, 20, 30]);
    });

    it('clear() cancels; clearing twice or after firing does nothing', async () => {
      const { timer, elapse } = await factory();
      let fired = 0;
      const a = timer.set(() => fired++, 10);
      const b = timer.set(() => (fired += 10), 10);
      timer.clear(a);
      timer.clear(a);
      await elapse(40);
      expect(fired).toBe(10);
      timer.clear(b);
      expect(fired).toBe(10);
    });

    it('gives distinct handles', async () => {
      const { timer } = await factory();
      const a = timer.set(() => undefined, 1000);
      const b = timer.set(() => undefined, 1000);
      expect(a.id).not.toBe(b.id);
      timer.clear(a);
      timer.clear(b);
    });

    it('a callback may set a new timer', async () => {
      const { timer, elapse } = await factory();
      let second = false;
      timer.set(() => { timer.set(() => { second = true; }, 10); }, 10);
      await elapse(60);
      expect(second).toBe(true);
    });

    it('refuses a negative or non-finite delay', async () => {
      const { timer } = await factory();
      expect(() => timer.set(() => undefined, -1)).toThrow();
      expect(() => timer.set(() => undefined, Number.NaN)).toThrow();
    });
  });
}
