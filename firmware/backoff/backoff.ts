/**
 * Exponential backoff with full jitter, as a small pure strategy object (the shape the MQTT.js
 * maintainer asked for in mqttjs/MQTT.js#563): the delay before attempt n+1 is uniform in
 * [0, min(cap, base * factor^n)) ("full jitter", AWS Architecture Blog, "Exponential Backoff
 * And Jitter", 2015). Full jitter spreads a fleet that lost its broker at the same moment over
 * the whole window instead of bringing it back in waves.
 *
 * Randomness is injected (RandomPort), time is not needed at all: next() returns a delay and the
 * caller schedules. The state is one counter; snapshot()/restore() carry it across deep sleep in
 * the retained record, so the backoff keeps growing across wakes.
 */
import { FirmwareError } from '../errors.js';
import type { RandomPort } from '../ports/random.js';

export interface BackoffOptions {
  /** Ceiling of the first delay (ms). */
  baseMs: number;
  /** Largest ceiling (ms): the delay never exceeds it. */
  capMs: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
}

const SNAPSHOT_VERSION = 1;
/** Attempts beyond this add nothing once the ceiling has reached the cap; the counter saturates. */
const MAX_ATTEMPT = 255;

export class Backoff {
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #factor: number;
  readonly #random: RandomPort;
  #attempt = 0;

  constructor(options: BackoffOptions, random: RandomPort) {
    const { baseMs, capMs } = options;
    const factor = options.factor ?? 2;
    if (!(baseMs > 0) || !(capMs >= baseMs) || !(factor >= 1) || !Number.isFinite(capMs)) {
      throw new FirmwareError('ERR_CONFIG_INVALID', `backoff base ${baseMs} ms, cap ${capMs} ms, factor ${factor}`);
    }
    if (random === undefined || typeof random.next !== 'function') throw new FirmwareError('ERR_PORT_MISSING', 'backoff needs a RandomPort');
    this.#baseMs = baseMs;
    this.#capMs = capMs;
    this.#factor = factor;
    this.#random = random;
  }

  /** Failed attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The ceiling the next delay is drawn under: min(cap, base * factor^attempt). */
  ceilingMs(): number {
    return Math.min(this.#capMs, this.#baseMs * Math.pow(this.#factor, this.#attempt));
  }

  /** Records a failed attempt and returns the delay (ms, integer) before the next one. */
  next(): number {
    const ceiling = this.ceilingMs();
    if (this.#attempt < MAX_ATTEMPT) this.#attempt += 1;
    const r = this.#random.next();
    // Guard against a RandomPort returning 1 or more: the delay stays below the ceiling.
    return Math.floor(Math.min(Math.max(r, 0), 0.9999999999) * ceiling);
  }

  /** A success: the next failure starts again from the base. */
  reset(): void {
    this.#attempt = 0;
  }

  snapshot(): Uint8Array {
    return Uint8Array.of(SNAPSHOT_VERSION, this.#attempt);
  }

  /** Throws ERR_STATE_CORRUPT on bytes that snapshot() did not make. */
  restore(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 2 || bytes[0] !== SNAPSHOT_VERSION) {
      throw new FirmwareError('ERR_STATE_CORRUPT', 'backoff snapshot');
    }
    this.#attempt = bytes[1]!;
  }
}
