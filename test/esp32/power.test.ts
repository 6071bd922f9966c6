import { describe, expect, it } from 'vitest';
import type { LogPort } from '../../firmware/index.js';
import type { AnalogConstructor } from '../../hosts/esp32/moddable-types.js';
import { resetReasonOf, wakeCauseOf } from '../../hosts/esp32/power-codes.js';
import { batteryVoltsFrom, createEsp32Power, DEFAULT_BATTERY } from '../../hosts/esp32/power.js';
import { FakeNative, RST } from './fakes.js';

const quiet: LogPort = { log: () => undefined };

function analogReading(value: number, resolution = 12): AnalogConstructor & { opened: number[]; closed: number } {
  const opened: number[] = [];
  const Ctor = class {
    static opened = opened;
    static closed = 0;
    readonly resolution = resolution;
    constructor(options: { pin: number }) {
      opened.push(options.pin);
    }
    read() { return value; }
    close() { Ctor.closed++; }
  };
  return Ctor as unknown as AnalogConstructor & { opened: number[]; closed: number };
}

describe('ESP32 power', () => {
  it('reads the battery through the divider: full scale 3.3 V at the pin, times the ratio', () => {
    expect(batteryVoltsFrom(4095, 12, DEFAULT_BATTERY)).toBeCloseTo(6.6);
    expect(batteryVoltsFrom(2048, 12, { ...DEFAULT_BATTERY, dividerRatio: 2 })).toBeCloseTo(3.3, 2);
    const native = new FakeNative();
    const analog = analogReading(2420);
    const power = createEsp32Power({ native: () => native, analog, battery: { ...DEFAULT_BATTERY, pin: 1 }, restart: () => undefined, log: quiet });
    expect(power.batteryVolts()).toBeCloseTo((2420 / 4095) * 3.3 * 2, 5);
    expect(analog.opened).toEqual([1]);
  });

  it('reports the fixed voltage when no pin senses the battery', () => {
    const power = createEsp32Power({ native: () => new FakeNative(), analog: analogReading(0), battery: { ...DEFAULT_BATTERY, fixedVolts: 5 }, restart: () => undefined, log: quiet });
    expect(power.batteryVolts()).toBe(5);
  });

  it('arms the timer and the configured wake pins, closes the ADC, then sleeps', () => {
    const native = new FakeNative();
    const analog = analogReading(2000);
    const power = createEsp32Power({
      native: () => native, analog, battery: { ...DEFAULT_BATTERY, pin: 1 }, restart: () => undefined, log: quiet,
      wakePins: [{ pin: 4, level: 0 }],
    });
    power.batteryVolts();
    power.deepSleep(60_000.4, [{ kind: 'timer', ms: 60_000.4 }, { kind: 'pin', pin: 12, level: 1 }, { kind: 'pin', pin: 13, level: 1 }]);
    expect(native.sleep.timerMs).toBe(60_000);
    expect(native.sleep.pins).toEqual([{ pin: 4, level: 0 }]);
    expect(native.sleep.masks).toEqual([{ low: (1 << 12) | (1 << 13), high: 0, level: 1 }]);
    expect(native.sleep.slept).toBe(1);
    expect(analog.closed).toBe(1);
  });

  it('sleeps on the timer even when a pin cannot wake the chip, and says so', () => {
    const native = new FakeNative();
    const logged: string[] = [];
    const power = createEsp32Power({ native: () => native, analog: analogReading(0), battery: DEFAULT_BATTERY, restart: () => undefined, log: { log: (_l, code) => logged.push(code) } });
    power.deepSleep(1000, [{ kind: 'pin', pin: 40, level: 0 }]);
    expect(logged).toEqual(['WAKE_PIN_FAILED']);
    expect(native.sleep.timerMs).toBe(1000);
    expect(native.sleep.slept).toBe(1);
  });

  it('does not arm a pin that already sits at its wake level (it would wake the node at once, again and again)', () => {
    const native = new FakeNative();
    const logged: string[] = [];
    const power = createEsp32Power({
      native: () => native, analog: analogReading(0), battery: DEFAULT_BATTERY, restart: () => undefined,
      log: { log: (_l, code) => logged.push(code) },
      wakePins: [{ pin: 4, level: 0 }, { pin: 5, level: 1 }],
      readPin: (pin) => (pin === 4 ? 0 : pin === 5 ? 0 : (() => { throw new Error('in use'); })()),
    });
    power.deepSleep(1000, [{ kind: 'timer', ms: 1000 }, { kind: 'pin', pin: 6, level: 1 }]);
    expect(logged).toEqual(['WAKE_PIN_HELD']);
    expect(native.sleep.pins.map((p) => p.pin).sort()).toEqual([]);
    expect(native.sleep.masks).toEqual([{ low: (1 << 5) | (1 << 6), high: 0, level: 1 }]);
    expect(native.sleep.slept).toBe(1);
  });

  it('names reset reasons and wake causes as the port does', () => {
    const native = new FakeNative();
    const power = createEsp32Power({ native: () => native, analog: analogReading(0), battery: DEFAULT_BATTERY, restart: () => undefined, log: quiet });
    native.resetReason = RST.DEEPSLEEP;
    native.wakeCauses = 1;
    expect([power.resetReason(), power.wakeCause()]).toEqual(['deep-sleep', 'timer']);
    native.resetReason = RST.POWERON;
    native.wakeCauses = 0;
    expect([power.resetReason(), power.wakeCause()]).toEqual(['power-on', 'none']);
    expect([2, 3, 4, 5, 6, 7, 9, 11, 14, 15, 42].map(resetReasonOf)).toEqual(
      ['power-on', 'software', 'panic', 'watchdog', 'watchdog', 'watchdog', 'brownout', 'power-on', 'brownout', 'panic', 'unknown']);
    expect([wakeCauseOf(3), wakeCauseOf(4)]).toEqual(['pin', 'none']);
  });
});
