/**
 * One-shot timers for protocol timeouts and keep-alives (Moddable: Timer.set; Node: setTimeout;
 * the simulator: its virtual clock). The core never calls a global timer function.
 */
export type TimerHandle = { readonly id: number };

export interface TimerPort {
  /** Calls `callback` once after `ms` milliseconds of monotonic time. */
  set(callback: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; clearing a fired or cleared timer does nothing. */
  clear(handle: TimerHandle): void;
}
