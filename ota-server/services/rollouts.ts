/**
 * Staged rollouts: creation, the operator's hand controls, the soak-time clock, and what a
 * check-in does to a device's rollout state. The rules themselves are in domain/.
 *
 * Live rollouts (active or paused) are read on every check-in, so they are cached for
 * one second (CHECK_IN_CACHE_MS, ttl-cache.ts). Changes made through this instance drop the cache
 * at once; with several instances on one PostgreSQL, another instance's pause reaches this one
 * within that time. Every state change is a compare-and-set in the store, so instances never undo each other.
 */
import { randomId } from '../auth/secrets.js';
import type { CheckInRequest } from '../core.js';
import { checkStages, cohortBucket, inStage } from '../domain/cohort.js';
import { FINAL_STATES, OPEN_STATES, failureRate, pauseReason, rolloutForDevice, transitionFromCheckIn } from '../domain/rollout-rules.js';
import { ServerError } from '../errors.js';
import {
  StoreConflictError, type DeviceIdentity, type DeviceRolloutState, type FirmwareRecord, type RolloutDeviceRecord, type RolloutRecord, type RolloutState,
} from '../store/types.js';
import type { ServiceContext } from './context.js';
import { imagePath, type FirmwareService } from './firmware.js';
import { CHECK_IN_CACHE_MS, TtlValue } from './ttl-cache.js';

export interface RolloutDefinition {
  firmwareSha256: string;
  /** Defaults to the firmware's board; must equal it. */
  board?: string;
  tags: string[];
  stages: number[];
  failureThreshold: number;
  minSample: number;
  soakSeconds?: number | null;
}

export interface RolloutStatus extends RolloutRecord {
  firmwareVersion: string;
  stagePercent: number;
  counts: Record<DeviceRolloutState, number>;
  attempted: number;
  failures: number;
  failureRate: number;
  /** Registered devices that match the target (board and tags). */
  targeted: number;
  /** ...of which in the current stage's cohort. */
  inCohort: number;
}

export interface Offer {
  rolloutId: string;
  manifest: Uint8Array;
  downloadPath: string;
  size: number;
}

type Live = RolloutRecord & { firmware: FirmwareRecord };

export type RolloutAction = 'advance' | 'pause' | 'resume' | 'abort';

export class RolloutService {
  readonly #ctx: ServiceContext;
  readonly #firmware: FirmwareService;
  readonly #live = new TtlValue<Live[]>(CHECK_IN_CACHE_MS);
  /** Called after every state change of a rollout (metrics, logs). */
  onStateChange: (rollout: RolloutRecord, previous: RolloutState, why: string) => void = () => {};

  constructor(ctx: ServiceContext, firmware: FirmwareService) {
    this.#ctx = ctx;
    this.#firmware = firmware;
  }

  invalidate(): void {
    this.#live.clear();
  }

  async #liveRollouts(): Promise<Live[]> {
    const cached = this.#live.get();
    if (cached !== undefined) return cached;
    const rows = await this.#ctx.store.listRollouts({ states: ['active', 'paused'] });
    const rollouts: Live[] = [];
    for (const r of rows) rollouts.push({ ...r, firmware: await this.#firmware.get(r.firmwareSha256) });
    this.#live.set(rollouts);
    return rollouts;
  }

  async create(def: RolloutDefinition): Promise<RolloutRecord> {
    const firmware = await this.#firmware.get(def.firmwareSha256).catch((error: unknown) => {
      if (error instanceof ServerError && error.code === 'ERR_NOT_FOUND') throw new ServerError('ERR_ROLLOUT_INVALID', `no firmware ${def.firmwareSha256}`);
      throw error;
    });
    if (firmware.imageStoredAtMs === null) throw new ServerError('ERR_IMAGE_MISSING', def.firmwareSha256);
    const board = def.board ?? firmware.board;
    if (board !== firmware.board) throw new ServerError('ERR_ROLLOUT_INVALID', `firmware is for board ${firmware.board}, not ${board}`);
    const stagesProblem = checkStages(def.stages);
    if (stagesProblem !== undefined) throw new ServerError('ERR_ROLLOUT_INVALID', stagesProblem);
    if (!(def.failureThreshold >= 0 && def.failureThreshold <= 1)) throw new ServerError('ERR_ROLLOUT_INVALID', 'failureThreshold is not in [0, 1]');
    if (!Number.isInteger(def.minSample) || def.minSample < 1) throw new ServerError('ERR_ROLLOUT_INVALID', 'minSample must be a positive integer');
    try {
      const record = await this.#ctx.store.createRollout({
        id: randomId('ro_'), firmwareSha256: firmware.sha256, board, tags: [...new Set(def.tags)].sort(), stages: [...def.stages],
        failureThreshold: def.failureThreshold, minSample: def.minSample,
        soakMs: def.soakSeconds === undefined || def.soakSeconds === null ? null : Math.round(def.soakSeconds * 1000),
        createdAtMs: this.#ctx.now(),
      });
      this.invalidate();
      return record;
    } catch (error) {
      if (error instanceof StoreConflictError) throw new ServerError('ERR_ROLLOUT_TARGET_BUSY');
      throw error;
    }
  }

  async get(id: string): Promise<RolloutRecord> {
    const r = await this.#ctx.store.getRollout(id);
    if (r === undefined) throw new ServerError('ERR_NOT_FOUND', `rollout ${id}`);
    return r;
  }

  async status(id: string): Promise<RolloutStatus> {
    await this.tick();
    const r = await this.get(id);
    const firmware = await this.#firmware.get(r.firmwareSha256);
    const counts = await this.#ctx.store.countRolloutDevices(id);
    let targeted = 0;
    let inCohort = 0;
    for (const d of await this.#ctx.store.listDevicesOfBoard(r.board)) {
      if (!r.tags.every((t) => d.tags.includes(t))) continue;
      targeted++;
      if (inStage(cohortBucket(r.id, d.id), r.stages, r.stageIndex)) inCohort++;
    }
    const rate = failureRate(counts);
    return {
      ...r, firmwareVersion: firmware.version, stagePercent: r.stages[r.stageIndex]!, counts,
      attempted: rate.attempted, failures: rate.failures, failureRate: rate.rate, targeted, inCohort,
    };
  }

  /** The operator's controls. Each is a compare-and-set; a refused one is ERR_ROLLOUT_STATE. */
  async act(id: string, action: RolloutAction, reason?: string): Promise<RolloutRecord> {
    const r = await this.get(id);
    const now = this.#ctx.now();
    let updated: RolloutRecord | undefined;
    switch (action) {
      case 'advance':
        updated = r.stageIndex + 1 < r.stages.length
          ? await this.#ctx.store.updateRollout(id, { state: ['active'], stageIndex: r.stageIndex }, { stageIndex: r.stageIndex + 1, stageStartedAtMs: now }, now)
          // Advancing past the last stage completes the rollout and frees its target.
          : await this.#ctx.store.updateRollout(id, { state: ['active'], stageIndex: r.stageIndex }, { state: 'completed', stateReason: reason ?? null }, now);
        break;
      case 'pause':
        updated = await this.#ctx.store.updateRollout(id, { state: ['active'] }, { state: 'paused', stateReason: reason ?? 'paused by hand' }, now);
        break;
      case 'resume':
        // The soak clock restarts: the stage must prove itself again after a pause.
        try {
          updated = await this.#ctx.store.updateRollout(id, { state: ['paused'] }, { state: 'active', stateReason: null, stageStartedAtMs: now }, now);
        } catch (error) {
          if (error instanceof StoreConflictError) throw new ServerError('ERR_ROLLOUT_TARGET_BUSY');
          throw error;
        }
        break;
      case 'abort':
        updated = await this.#ctx.store.updateRollout(id, { state: ['active', 'paused'] }, { state: 'aborted', stateReason: reason ?? 'aborted by hand' }, now);
        break;
    }
    if (updated === undefined) throw new ServerError('ERR_ROLLOUT_STATE', `cannot ${action} a rollout that is ${(await this.get(id)).state}`);
    this.invalidate();
    this.onStateChange(updated, r.state, action);
    return updated;
  }

  /** Advances every active rollout whose stage has soaked long enough; returns the ids advanced. */
  async tick(): Promise<string[]> {
    const now = this.#ctx.now();
    const advanced: string[] = [];
    for (const r of await this.#ctx.store.listRollouts({ states: ['active'] })) {
      if (r.soakMs === null || r.stageIndex + 1 >= r.stages.length || now - r.stageStartedAtMs < r.soakMs) continue;
      const updated = await this.#ctx.store.updateRollout(r.id, { state: ['active'], stageIndex: r.stageIndex },
        { stageIndex: r.stageIndex + 1, stageStartedAtMs: now }, now);
      if (updated !== undefined) {
        advanced.push(r.id);
        this.onStateChange(updated, r.state, `soak time over: stage ${updated.stageIndex} (${updated.stages[updated.stageIndex]} %)`);
      }
    }
    if (advanced.length > 0) this.invalidate();
    return advanced;
  }

  /**
   * A device checked in: move its rollout states by what it reports, then offer it the update
   * if it is targeted, in the current cohort, not on that version, and not finished with it.
   */
  async onCheckIn(device: DeviceIdentity, request: CheckInRequest): Promise<Offer | undefined> {
    const live = await this.#liveRollouts();
    const target = rolloutForDevice(live, device);
    if (request.updateOutcome !== undefined || (target !== undefined && request.firmwareVersion === target.firmware.version)) {
      await this.#applyReport(device.id, request, live);
    }
    if (target === undefined || target.state !== 'active' || request.firmwareVersion === target.firmware.version) return undefined;
    if (!inStage(cohortBucket(target.id, device.id), target.stages, target.stageIndex)) return undefined;
    const now = this.#ctx.now();
    let row: RolloutDeviceRecord | undefined = await this.#ctx.store.getRolloutDevice(target.id, device.id);
    row ??= await this.#ctx.store.offerRolloutDevice(target.id, device.id, now);
    if (row.state !== 'offered' && row.state !== 'downloading') return undefined;
    return { rolloutId: target.id, manifest: target.firmware.manifest, downloadPath: imagePath(target.firmwareSha256), size: target.firmware.size };
  }

  async #applyReport(deviceId: string, request: CheckInRequest, live: readonly Live[]): Promise<void> {
    const now = this.#ctx.now();
    for (const row of await this.#ctx.store.listRolloutDevicesOfDevice(deviceId)) {
      if (!OPEN_STATES.includes(row.state)) continue;
      const rollout = live.find((r) => r.id === row.rolloutId) ?? await this.#withFirmware(await this.#ctx.store.getRollout(row.rolloutId));
      if (rollout === undefined) continue;
      const t = transitionFromCheckIn(request, rollout.firmware.version);
      if (t === undefined || !t.from.includes(row.state)) continue;
      if (!(await this.#ctx.store.transitionRolloutDevice(row.rolloutId, deviceId, t.from, t.to, t.reason, now))) continue;
      this.#ctx.log.info({ rolloutId: row.rolloutId, deviceId, from: row.state, to: t.to, reason: t.reason }, 'device rollout state');
      if (FINAL_STATES.includes(t.to) && rollout.state === 'active') await this.#checkFailureRate(rollout);
    }
  }

  async #withFirmware(r: RolloutRecord | undefined): Promise<Live | undefined> {
    return r === undefined ? undefined : { ...r, firmware: await this.#firmware.get(r.firmwareSha256) };
  }

  async #checkFailureRate(rollout: RolloutRecord): Promise<void> {
    const reason = pauseReason(await this.#ctx.store.countRolloutDevices(rollout.id), rollout);
    if (reason === undefined) return;
    const now = this.#ctx.now();
    const paused = await this.#ctx.store.updateRollout(rollout.id, { state: ['active'] }, { state: 'paused', stateReason: reason }, now);
    if (paused === undefined) return; // paused meanwhile, by hand or by another instance
    this.invalidate();
    this.#ctx.log.warn({ rolloutId: rollout.id, reason }, 'rollout paused automatically');
    this.onStateChange(paused, 'active', reason);
  }

  /** A device started downloading an image it was offered. */
  async onDownload(deviceId: string, row: RolloutDeviceRecord): Promise<void> {
    if (row.state === 'offered') await this.#ctx.store.transitionRolloutDevice(row.rolloutId, deviceId, ['offered'], 'downloading', null, this.#ctx.now());
  }
}
