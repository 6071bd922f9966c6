/**
 * UTC on a device whose clock starts wrong and drifts (design section 2 "clock", section 7
 * "every timestamp on the wire is UTC, corrected for drift").
 *
 * The device's wall clock (ClockPort.wallMs: the ESP32 RTC, which runs through deep sleep but
 * not through power loss) is set from the server's time at every check-in. The fix assumes the
 * server stamped its answer half-way through the round trip (as SNTP does), so the error is at
 * most half the round trip. The wall clock then IS corrected UTC until the next fix; what drifted
 * between two fixes is corrected in the queued reports by firmware/time/restamp.ts.
 *
 * "Verified" means: a server fix happened since the retained record was last lost. Readings
 * taken before that (a cold boot whose RTC happened to look plausible) are re-stamped with the
 * whole step of the first fix. A clock before MIN_VALID_UTC_MS is never valid (the wake cycle
 * does not even sample then; firmware/node/wake-cycle.ts).
 */
import { FirmwareError } from '../errors.js';
import type { Retainable } from '../node/steps.js';
import type { ClockPort } from '../ports/clock.js';

/** 2024-01-01T00:00:00Z, as firmware/node/wake-cycle.ts: an earlier wall clock is not set. */
export const MIN_VALID_UTC_MS = 1_704_067_200_000;

export interface ClockFix {
  /** Wall clock just before the fix (old frame). */
  beforeMs: number;
  /** Corrected UTC set by the fix. */
  afterMs: number;
  /** afterMs - beforeMs: how far the clock was wrong. */
  stepMs: number;
  /** Half the request's round trip: the uncertainty of this fix. */
  uncertaintyMs: number;
  /** Corrected UTC of the previous fix, when there was one since the clock was last lost. */
  previousFixMs: number | undefined;
}

const SNAPSHOT_VERSION = 1;

export class UtcClock implements Retainable {
  readonly #clock: ClockPort;
  #lastFixMs: number | undefined;

  constructor(clock: ClockPort) {
    if (clock === undefined || typeof clock.wallMs !== 'function' || typeof clock.setWallMs !== 'function' || typeof clock.monotonicMs !== 'function') {
      throw new FirmwareError('ERR_PORT_MISSING', 'UtcClock needs a clock port');
    }
    this.#clock = clock;
  }

  /** Corrected UTC ms, as good as the last fix and the drift since. */
  now(): number {
    return this.#clock.wallMs();
  }

  monotonicMs(): number {
    return this.#clock.monotonicMs();
  }

  /** A server fix since the retained record was lost, and the clock is plausible. */
  verified(): boolean {
    return this.#lastFixMs !== undefined && this.#clock.wallMs() >= MIN_VALID_UTC_MS;
  }

  lastFixMs(): number | undefined {
    return this.#lastFixMs;
  }

  /**
   * Sets the wall clock from a server time taken between `sentMonoMs` and `receivedMonoMs`
   * (monotonic ms around the request). Returns the step it made.
   */
  applyServerTime(serverTimeMs: number, sentMonoMs: number, receivedMonoMs: number): ClockFix {
    if (!Number.isFinite(serverTimeMs) || serverTimeMs < MIN_VALID_UTC_MS) {
      throw new FirmwareError('ERR_ARGUMENT', `server time ${serverTimeMs} is not a plausible UTC time`);
    }
    const roundTrip = Math.max(0, receivedMonoMs - sentMonoMs);
    const elapsedSinceAnswer = Math.max(0, this.#clock.monotonicMs() - receivedMonoMs);
    const afterMs = Math.round(serverTimeMs + roundTrip / 2 + elapsedSinceAnswer);
    const beforeMs = this.#clock.wallMs();
    this.#clock.setWallMs(afterMs);
    const fix: ClockFix = { beforeMs, afterMs, stepMs: afterMs - beforeMs, uncertaintyMs: roundTrip / 2, previousFixMs: this.#lastFixMs };
    this.#lastFixMs = afterMs;
    return fix;
  }

  snapshot(): Uint8Array {
    const out = new Uint8Array(10);
    out[0] = SNAPSHOT_VERSION;
    out[1] = this.#lastFixMs === undefined ? 0 : 1;
    new DataView(out.buffer).setFloat64(2, this.#lastFixMs ?? 0, true);
    return out;
  }

  restore(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 10 || bytes[0] !== SNAPSHOT_VERSION || bytes[1]! > 1) {
      throw new FirmwareError('ERR_STATE_CORRUPT', 'utc clock snapshot');
    }
    const at = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(2, true);
    if (bytes[1] === 1 && !Number.isFinite(at)) throw new FirmwareError('ERR_STATE_CORRUPT', 'utc clock snapshot');
    this.#lastFixMs = bytes[1] === 1 ? at : undefined;
  }
}
