/**
 * Check-in (design section 5): record what the device says, move its rollout state, and answer
 * with the server's time, its config when the version differs, and an update offer when it is
 * targeted.
 *
 * Last-seen and status are written behind, in batches (`flushMs`, default 0 = at once): under a
 * fleet's load one transaction per batch is far cheaper than one commit per check-in. Only
 * this soft state waits; rollout state changes are written before the answer goes out, and
 * close() flushes, so a graceful restart loses nothing (a crash may lose the last `flushMs` of
 * last-seen times, which the next check-in restores).
 */
import type { CheckInAnswer, CheckInRequest } from '../core.js';
import { ServerError } from '../errors.js';
import type { CheckInEntry, DeviceIdentity, DeviceStatusRecord, Store } from '../store/types.js';
import type { ConfigService } from './configs.js';
import type { ServiceContext } from './context.js';
import type { RolloutService } from './rollouts.js';

/**
 * How long `npm run server` lets status wait (main.ts --status-flush-ms). A batch keeps only a
 * device's latest status, and a longer batch touches each database page once for many devices;
 * a crash loses at most this much of last-seen, which the device's next check-in restores.
 */
export const STATUS_FLUSH_MS = 1000;

export class StatusWriter {
  readonly #store: Store;
  readonly #flushMs: number;
  readonly #onError: (error: unknown) => void;
  #pending = new Map<string, CheckInEntry>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(store: Store, flushMs: number, onError: (error: unknown) => void) {
    this.#store = store;
    this.#flushMs = flushMs;
    this.#onError = onError;
  }

  /** A promise only when written at once (flushMs 0); batched, nothing to wait for. */
  record(deviceId: string, status: DeviceStatusRecord, atMs: number): Promise<void> | undefined {
    if (this.#flushMs <= 0) return this.#store.recordCheckIns([{ deviceId, status, atMs }]);
    this.#pending.set(deviceId, { deviceId, status, atMs });
    this.#timer ??= setTimeout(() => { this.#timer = undefined; void this.flush(); }, this.#flushMs);
    return undefined;
  }

  /** Writes what is pending (and waits for a flush in progress). */
  flush(): Promise<void> {
    if (this.#timer !== undefined) { clearTimeout(this.#timer); this.#timer = undefined; }
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    this.#flushing = this.#flushing.then(async () => {
      if (batch.length > 0) await this.#store.recordCheckIns(batch);
    }).catch(this.#onError);
    return this.#flushing;
  }
}

export function statusOf(request: CheckInRequest): DeviceStatusRecord {
  const status: DeviceStatusRecord = {
    firmwareVersion: request.firmwareVersion, slot: request.slot, bootState: request.bootState, batteryVolts: request.batteryVolts,
    configVersion: request.configVersion, outbox: { ...request.outbox },
  };
  if (request.updateOutcome !== undefined) status.lastOutcome = { ...request.updateOutcome };
  return status;
}

export class CheckInService {
  readonly #ctx: ServiceContext;
  readonly #rollouts: RolloutService;
  readonly #configs: ConfigService;
  readonly #status: StatusWriter;

  constructor(ctx: ServiceContext, rollouts: RolloutService, configs: ConfigService, status: StatusWriter) {
    this.#ctx = ctx;
    this.#rollouts = rollouts;
    this.#configs = configs;
    this.#status = status;
  }

  async checkIn(device: DeviceIdentity, request: CheckInRequest): Promise<{ answer: CheckInAnswer; offeredRollout?: string }> {
    if (request.deviceId !== device.id) throw new ServerError('ERR_DEVICE_MISMATCH', `body names ${request.deviceId}`);
    const now = this.#ctx.now();
    const written = this.#status.record(device.id, statusOf(request), now);
    if (written !== undefined) await written;
    const offer = await this.#rollouts.onCheckIn(device, request);
    const config = await this.#configs.effectiveFor(device, request.configVersion);
    const answer: CheckInAnswer = { serverTimeMs: now };
    if (config !== undefined && config.version !== request.configVersion) answer.config = config.document;
    if (offer === undefined) return { answer };
    answer.update = { manifest: offer.manifest, downloadPath: offer.downloadPath, size: offer.size };
    return { answer, offeredRollout: offer.rolloutId };
  }
}
