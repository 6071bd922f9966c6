/**
 * PowerPort on the ESP32: battery voltage through embedded:io/analog and a resistor divider,
 * reset reason and wake cause from ESP-IDF, deep sleep with timer and pin wake-ups (all native,
 * native/sleep.c), restart through System.restart.
 */
import { FirmwareError, type LogPort, type PowerPort, type WakeSource } from '../esp32-core.js';
import { espErrorName, type AnalogConstructor, type AnalogInput, type NativeApi } from './moddable-types.js';
import { resetReasonOf, wakeCauseOf } from './power-codes.js';

export interface BatteryConfig {
  /** ADC pin of the divider's midpoint; undefined = no battery sense (fixedVolts is reported). */
  pin?: number;
  /** Battery volts per volt at the pin (2 for two equal resistors). */
  dividerRatio: number;
  /** Volts at the pin that read as full scale (Moddable scales to 3.3 V). */
  fullScaleVolts: number;
  /** Readings averaged per measurement. */
  samples: number;
  /** Reported when there is no pin (mains or USB powered boards). */
  fixedVolts: number;
}

export const DEFAULT_BATTERY: BatteryConfig = Object.freeze({ dividerRatio: 2, fullScaleVolts: 3.3, samples: 8, fixedVolts: 3.3 });

/** Longest timer sleep the native call takes (uint32 milliseconds). */
export const MAX_SLEEP_MS = 0xffffffff;

export interface Esp32PowerOptions {
  native: () => NativeApi;
  analog: AnalogConstructor;
  battery: BatteryConfig;
  restart: () => void;
  log: LogPort;
  /** Pins that also end every deep sleep (a button, a reed switch), added to the core's sources. */
  wakePins?: ReadonlyArray<{ pin: number; level: 0 | 1 }>;
  /** Reads a pin's level now (embedded:io/digital). */
  readPin?: (pin: number) => number;
}

export function batteryVoltsFrom(reading: number, resolution: number, battery: BatteryConfig): number {
  const full = 2 ** resolution - 1;
  return (reading / full) * battery.fullScaleVolts * battery.dividerRatio;
}

export function createEsp32Power(o: Esp32PowerOptions): PowerPort {
  let adc: AnalogInput | undefined;
  return {
    batteryVolts() {
      const { pin } = o.battery;
      if (pin === undefined) return o.battery.fixedVolts;
      adc ??= new o.analog({ pin });
      let sum = 0;
      const n = Math.max(1, Math.floor(o.battery.samples));
      for (let i = 0; i < n; i++) sum += adc.read();
      return batteryVoltsFrom(sum / n, adc.resolution, o.battery);
    },
    resetReason: () => resetReasonOf(o.native().sn_reset_reason()),
    wakeCause: () => wakeCauseOf(o.native().sn_wake_causes()),
    deepSleep(ms, sources?: readonly WakeSource[]) {
      const n = o.native();
      const all: readonly WakeSource[] = [
        ...(sources ?? [{ kind: 'timer', ms }]),
        ...(o.wakePins ?? []).map((p): WakeSource => ({ kind: 'pin', pin: p.pin, level: p.level })),
      ];
      const timer = all.filter((s): s is Extract<WakeSource, { kind: 'timer' }> => s.kind === 'timer');
      const sleepMs = Math.min(MAX_SLEEP_MS, Math.max(1, Math.round(Math.min(ms, ...timer.map((t) => t.ms)))));
      if (!Number.isFinite(sleepMs)) throw new FirmwareError('ERR_ARGUMENT', `deepSleep(${ms})`);
      // A wake source that cannot be armed must not keep the node awake: log it and sleep on
      // the timer, which always works.
      const err = n.sn_sleep_wake_timer(sleepMs);
      if (err !== 0) o.log.log('error', 'SLEEP_TIMER_FAILED', { error: espErrorName(err) });
      // A level wake-up fires at once when the pin already sits at its level (a door left open,
      // a button held): arming it would wake the node again and again and drain the battery.
      const pins = all.filter((s): s is Extract<WakeSource, { kind: 'pin' }> => {
        if (s.kind !== 'pin') return false;
        let now: number | undefined;
        try {
          now = o.readPin?.(s.pin);
        } catch {
          now = undefined; // the pin cannot be read (in use): arm it as asked
        }
        if (now === s.level) {
          o.log.log('warn', 'WAKE_PIN_HELD', { pin: s.pin, level: s.level });
          return false;
        }
        return true;
      });
      for (const level of [0, 1] as const) {
        const group = pins.filter((p) => p.level === level);
        if (group.length === 0) continue;
        const result = group.length === 1
          ? n.sn_sleep_wake_pin(group[0]!.pin, level)
          : n.sn_sleep_wake_pins(maskOf(group, 0), maskOf(group, 32), level);
        if (result !== 0) o.log.log('warn', 'WAKE_PIN_FAILED', { pins: group.map((p) => p.pin), level, error: espErrorName(result) });
      }
      adc?.close();
      adc = undefined;
      n.sn_deep_sleep();
    },
    restart: () => o.restart(),
  };
}

function maskOf(pins: ReadonlyArray<{ pin: number }>, base: 0 | 32): number {
  let mask = 0;
  for (const { pin } of pins) if (pin >= base && pin < base + 32) mask |= 1 << (pin - base);
  return mask >>> 0;
}
