/**
 * ClockPort on Moddable: the ESP-IDF system clock (Date.now, settable with Time.set, kept
 * running through deep sleep by the RTC timer; near 1970 after power-on until the core sets
 * it from the server's time), and a monotonic clock built from Time.ticks, which counts ms
 * since boot in 32 bits and wraps (Time.delta bridges the wrap).
 */
import { FirmwareError, type ClockPort } from '../esp32-core.js';
import type { TimeModule } from './moddable-types.js';

export function createEsp32Clock(time: TimeModule, now: () => number): ClockPort {
  let lastTicks = time.ticks;
  let monotonic = 0;
  return {
    wallMs: () => now(),
    monotonicMs() {
      // Accumulate differences: ticks wrap after 2^32 ms and may read negative.
      const ticks = time.ticks;
      const step = time.delta(lastTicks, ticks);
      if (step > 0) monotonic += step;
      lastTicks = ticks;
      return monotonic;
    },
    setWallMs(utcMs) {
      if (typeof utcMs !== 'number' || !Number.isFinite(utcMs)) throw new FirmwareError('ERR_ARGUMENT', `setWallMs(${String(utcMs)}): not a finite time`);
      time.set(utcMs / 1000);
    },
  };
}
