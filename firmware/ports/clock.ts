/**
 * Clock port. The device's own wall clock is whatever the RTC says (after a cold boot on an
 * ESP32 it starts near 1970); the core corrects it with the offset learnt from the server at
 * check-in (see firmware/time). Monotonic time never jumps and is what timeouts use.
 */
export interface ClockPort {
  /** Device wall clock, ms since the Unix epoch, uncorrected. May be unset (near 0) or drifting. */
  wallMs(): number;
  /** Milliseconds on a monotonic clock; only differences are meaningful. */
  monotonicMs(): number;
  /** Set the device wall clock (ESP32: Time.set). */
  setWallMs(utcMs: number): void;
}
