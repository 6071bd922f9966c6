/**
 * ESP-IDF's reset reasons (esp_reset_reason_t, esp_system.h) and our wake-cause bits
 * (native/sleep.c sn_wake_causes) in the PowerPort's words.
 */
import type { ResetReason, WakeCause } from '../esp32-core.js';

/** Index = esp_reset_reason_t value. */
const RESET_REASONS: readonly ResetReason[] = Object.freeze([
  'unknown', // 0 ESP_RST_UNKNOWN
  'power-on', // 1 ESP_RST_POWERON
  'power-on', // 2 ESP_RST_EXT: the reset pin, a fresh start for the application
  'software', // 3 ESP_RST_SW: esp_restart (after an update, a rollback)
  'panic', // 4 ESP_RST_PANIC: exception or abort (XS aborts call esp_restart in release builds)
  'watchdog', // 5 ESP_RST_INT_WDT
  'watchdog', // 6 ESP_RST_TASK_WDT
  'watchdog', // 7 ESP_RST_WDT (other watchdogs)
  'deep-sleep', // 8 ESP_RST_DEEPSLEEP
  'brownout', // 9 ESP_RST_BROWNOUT
  'unknown', // 10 ESP_RST_SDIO
  'power-on', // 11 ESP_RST_USB: reset by the USB peripheral (a host opening the port)
  'power-on', // 12 ESP_RST_JTAG
  'unknown', // 13 ESP_RST_EFUSE
  'brownout', // 14 ESP_RST_PWR_GLITCH
  'panic', // 15 ESP_RST_CPU_LOCKUP
]);

export function resetReasonOf(code: number): ResetReason {
  return RESET_REASONS[code] ?? 'unknown';
}

export const WAKE_TIMER = 1;
export const WAKE_PIN = 2;
export const WAKE_OTHER = 4;

/** A pin wake wins over a timer wake that fired at the same time: the pin is the news. */
export function wakeCauseOf(bits: number): WakeCause {
  if ((bits & WAKE_PIN) !== 0) return 'pin';
  if ((bits & WAKE_TIMER) !== 0) return 'timer';
  return 'none';
}
