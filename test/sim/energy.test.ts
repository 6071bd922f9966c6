import { describe, expect, it } from 'vitest';
import {
  awakeTime, batteryDays, BATTERIES, chargeMah, DEFAULT_ENERGY, describeAssumptions, emptyActivity, parseBattery,
} from '../../sim/energy.js';

describe('energy model arithmetic', () => {
  it('a wake with a cached join, two connections and 1250 bytes, by hand', () => {
    const a = { ...emptyActivity(), boots: 1, cycles: 1, joinsCached: 1, connects: 2, bytes: 1250 };
    // radio: 400 ms join + 2 x 60 ms + 1250 B / 125 B/ms = 530 ms; CPU: 250 ms boot + 30 ms cycle = 280 ms.
    expect(awakeTime(a)).toEqual({ cpuMs: 280, radioMs: 530, lightMs: 0 });
    // Over 5 minutes: sleep 300000 - 810 ms. 280 x 40 + 530 x 120 + 299190 x 0.01 = 77791.9 mA.ms.
    const c = chargeMah(a, 300_000);
    expect(c.sleepMs).toBe(299_190);
    expect(c.mah).toBeCloseTo(77_791.9 / 3_600_000, 12);
  });

  it('full and failed joins, flash erases and light sleep between the cycles of a pending image', () => {
    const a = { ...emptyActivity(), boots: 2, cycles: 3, joinsFull: 1, joinsFailed: 1, flashSectorsErased: 10, idleAwakeMs: 20_000 };
    // radio 2500 + 5000; CPU 2 x 250 + 3 x 30 + 10 x 45; light sleep 20 s.
    expect(awakeTime(a)).toEqual({ cpuMs: 500 + 90 + 450, radioMs: 7500, lightMs: 20_000 });
    // 1040 x 40 + 7500 x 120 + 20000 x 0.8 + (60000 - 28540) x 0.01 over a minute.
    expect(chargeMah(a, 60_000).mah).toBeCloseTo((1040 * 40 + 7500 * 120 + 20_000 * 0.8 + 31_460 * 0.01) / 3_600_000, 12);
  });

  it('deep sleep alone: 10 uA for a day is 0.24 mAh', () => {
    expect(chargeMah(emptyActivity(), 86_400_000).mah).toBeCloseTo(0.24, 12);
  });

  it('battery life: usable capacity over the daily draw', () => {
    expect(batteryDays(BATTERIES['2xaa']!, 2.5)).toBeCloseTo(2125 / 2.5, 9);
    expect(batteryDays(BATTERIES['18650']!, 3)).toBeCloseTo(850, 9);
    expect(batteryDays(BATTERIES['18650']!, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('battery specs by name or capacity; unknown ones refused', () => {
    expect(parseBattery('2xAA').capacityMah).toBe(2500);
    expect(parseBattery('18650').capacityMah).toBe(3000);
    expect(parseBattery('1200mAh')).toMatchObject({ capacityMah: 1200, usable: 0.85 });
    expect(() => parseBattery('potato')).toThrow(/unknown battery/);
    expect(() => parseBattery('0')).toThrow(/unknown battery/);
  });

  it('prints every assumption it uses', () => {
    const lines = describeAssumptions(DEFAULT_ENERGY, BATTERIES['2xaa']!).join('\n');
    for (const s of ['10 uA', '40 mA', '120 mA', 'boot 250 ms', '400 ms with cached', '2500 ms without', '2500 mAh', '85 %']) expect(lines).toContain(s);
  });
});
