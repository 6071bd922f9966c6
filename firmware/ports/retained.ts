/**
 * Retained memory: a small record that survives deep sleep but not power loss
 * (ESP32 RTC slow memory). After a power cut `load()` returns undefined.
 */
export interface RetainedPort {
  /** Bytes available for the record. */
  readonly capacity: number;
  load(): Uint8Array | undefined;
  /** Throws ERR_RETAINED_TOO_LARGE when bytes exceed capacity. */
  save(bytes: Uint8Array): void;
}
