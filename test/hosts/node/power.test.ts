import { describe, expect, it } from 'vitest';
import { createFixedBattery, createLiIonBattery, createSimulatedPower } from '../../../hosts/node/index.js';

describe('battery model', () => {
  it('follows the Li-ion curve from 4.2 V full to 3.0 V empty', () => {
    expect(createLiIonBattery({ socPercent: 100 }).volts()).toBeCloseTo(4.2);
    expect(createLiIonBattery({ socPercent: 50 }).volts()).toBeCloseTo(3.8);
    expect(createLiIonBattery({ socPercent: 0 }).volts()).toBeCloseTo(3.0);
  });
  it('drains by mA x time', () => {
    const b = createLiIonBattery({ capacityMah: 1000 });
    b.drain(100, 3_600_000);
    expect(b.usedMah()).toBeCloseTo(100);
    expect(b.socPercent()).toBeCloseTo(90);
    expect(() => b.drain(-1, 1)).toThrow(RangeError);
    b.drain(10_000, 3_600_000);
    expect(b.socPercent()).toBe(0);
    expect(b.volts()).toBeCloseTo(3.0);
  });
});

describe('simulated power', () => {
  it('cold boot, then deep sleep: the next boot is a timer wake', () => {
    const slept: number[] = [];
    const power = createSimulatedPower({ battery: createFixedBattery(3.9), onDeepSleep: (ms) => slept.push(ms) });
    expect(power.resetReason()).toBe('power-on');
    expect(power.wakeCause()).toBe('none');
    power.deepSleep(60_000, [{ kind: 'timer', ms: 60_000 }]);
    expect(power.resetReason()).toBe('deep-sleep');
    expect(power.wakeCause()).toBe('timer');
    expect(power.sleeps).toEqual([{ ms: 60_000, sources: [{ kind: 'timer', ms: 60_000 }] }]);
    expect(slept).toEqual([60_000]);
    expect(power.batteryVolts()).toBe(3.9);
  });
  it('a pin-only sleep wakes by pin; restart and power cut set their reasons', () => {
    const power = createSimulatedPower();
    power.deepSleep(1000, [{ kind: 'pin', pin: 4, level: 0 }]);
    expect(power.wakeCause()).toBe('pin');
    power.restart();
    expect([power.resetReason(), power.wakeCause(), power.restarts]).toEqual(['software', 'none', 1]);
    power.powerCut();
    expect(power.resetReason()).toBe('power-on');
    power.setBoot('brownout');
    expect(power.resetReason()).toBe('brownout');
  });
  it('refuses a negative sleep', () => {
    expect(() => createSimulatedPower().deepSleep(-5)).toThrow(RangeError);
  });
});
