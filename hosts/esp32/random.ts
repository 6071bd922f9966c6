/** RandomPort on the ESP32 hardware RNG (esp_random through the native functions). */
import type { RandomPort } from '../esp32-core.js';
import type { NativeApi } from './moddable-types.js';

export function createEsp32Random(native: () => NativeApi): RandomPort {
  return {
    // 32 random bits scaled to [0, 1).
    next: () => (native().sn_random() >>> 0) / 4294967296,
  };
}
