/** Power, reset and sleep. `deepSleep` ends a wake cycle; on the device it never returns. */
export type ResetReason = 'power-on' | 'deep-sleep' | 'software' | 'panic' | 'watchdog' | 'brownout' | 'unknown';
export type WakeCause = 'timer' | 'pin' | 'none';
export type WakeSource = { kind: 'timer'; ms: number } | { kind: 'pin'; pin: number; level: 0 | 1 };

export interface PowerPort {
  /** Battery voltage in volts. */
  batteryVolts(): number;
  resetReason(): ResetReason;
  wakeCause(): WakeCause;
  deepSleep(ms: number, sources?: readonly WakeSource[]): void;
  /** Restart now (after activating an update). */
  restart(): void;
}
