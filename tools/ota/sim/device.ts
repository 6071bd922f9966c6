/**
 * A simulated device for the OTA sweep: the node flash model (otadata, ota_0, ota_1, kv), the
 * ESP-IDF boot rules (firmware/ota/boot.ts), the real updater (firmware/ota/updater.ts) with
 * the pure-JS crypto the device runs, and an image whose behaviour the image header defines.
 * A tiny server offers one release at check-in and records the outcomes it is told.
 *
 * One session = one boot: bootloader, then wake cycles. A healthy image that has nothing left
 * to do deep-sleeps (the session ends; the next one boots again, as an ESP32 does after deep
 * sleep). A pending image stays awake, cycling, until it commits or rolls back.
 */
import {
  createNobleCrypto, FirmwareError, isFirmwareError, type CryptoPort, type LogPort, type UpdateOutcome,
} from '../../../firmware/index.js';
import { selectBootSlot } from '../../../firmware/ota/boot.js';
import { activeOtadata, entryIntact, OTA_IMG, readOtadata, slotOfSeq } from '../../../firmware/ota/otadata.js';
import { KV, readProgress, readSecurityVersion, readTrial } from '../../../firmware/ota/state.js';
import { Updater } from '../../../firmware/ota/updater.js';
import { createNodeCrypto } from '../../../hosts/node/crypto.js';
import { FlashFirmwareSlots } from '../../../hosts/node/firmware-slots.js';
import { FlashKv } from '../../../hosts/node/flash-kv.js';
import { createOtaFlash, PowerCut, type SimFlash } from '../../../hosts/node/flash.js';
import { buildImage, inspectImage, programImage, type ImageInfo } from './image.js';
import { MemorySource } from './memory-source.js';

/** The bootloader stand-in's image check (esp_image_verify), apart from the device's crypto port. */
const bootloaderCrypto = createNodeCrypto();

export const SIM_BOARD = 'esp32s3-sim';
export const SIM_SLOT_SIZE = 32 * 1024;

/** The device restarts (power.restart after activation or rollback). */
export class Restart extends Error {}
/** The image crashed (panic reset). */
export class Crash extends Error {}

export interface Release {
  version: string;
  manifest: Uint8Array;
  path: string;
}

/** The server side in one object: offers one release, acknowledges outcomes by answering. */
export class SimServer {
  release: Release | undefined;
  readonly outcomes: UpdateOutcome[] = [];
  #done = false;

  publish(release: Release): void {
    this.release = release;
    this.#done = false;
  }

  checkIn(version: string, outcome: UpdateOutcome | undefined): { offer?: { manifest: Uint8Array; downloadPath: string } } {
    if (outcome !== undefined) {
      this.outcomes.push(outcome);
      // A rollout marks the device done for this release on any report about it (a refused
      // manifest may not even name its version).
      if (this.release !== undefined && (outcome.version === this.release.version || outcome.kind === 'failed')) this.#done = true;
    }
    if (this.release === undefined || this.#done || version === this.release.version) return {};
    return { offer: { manifest: this.release.manifest, downloadPath: this.release.path } };
  }

  /** The last outcome reported for the release. */
  finalOutcome(): UpdateOutcome | undefined {
    const v = this.release?.version;
    return [...this.outcomes].reverse().find((o) => o.version === v || o.version === 'unknown');
  }
}

export interface BootRecord {
  /** Undefined while the bootloader runs (and when power went then). */
  slot?: 0 | 1;
  version?: string;
  pending: boolean;
  /** The session ended by a power cut (in the bootloader if slot is undefined). */
  cut?: boolean;
}

export interface SimDeviceOptions {
  trustedKeys: readonly Uint8Array[];
  factory: { version: string; securityVersion: number };
  seed?: number;
  crypto?: CryptoPort;
  source?: MemorySource;
  batteryVolts?: number;
  budgetBytes?: number;
  healthTimeoutMs?: number;
  log?: (code: string, fields?: Readonly<Record<string, unknown>>) => void;
}

export class SimDevice {
  readonly flash: SimFlash;
  readonly server = new SimServer();
  readonly source: MemorySource;
  readonly boots: BootRecord[] = [];
  /** Invariants broken at some boot (checked as they happen, not only at the end). */
  readonly violations: string[] = [];
  readonly crypto: CryptoPort;
  nowMs = 1_700_000_000_000;
  batteryVolts: number;
  #options: SimDeviceOptions;
  #monotonic = 0;

  constructor(options: SimDeviceOptions, flash?: SimFlash) {
    this.#options = options;
    this.crypto = options.crypto ?? createNobleCrypto();
    this.source = options.source ?? new MemorySource();
    this.batteryVolts = options.batteryVolts ?? 3.9;
    if (flash !== undefined) {
      this.flash = flash;
    } else {
      this.flash = createOtaFlash({ slotSize: SIM_SLOT_SIZE, kvSectors: 2, seed: options.seed ?? 1 });
      // Factory programming: the image in ota_0, otadata blank (the first boot writes seq 1).
      const image = buildImage({ ...options.factory, board: SIM_BOARD, behaviour: 'healthy', length: 18_000 }, bootloaderCrypto);
      programImage(this.flash.area('ota_0'), image);
    }
  }

  /** A copy of this device at this moment (flash, clock), sharing the server's release. */
  fork(seed: number, source: MemorySource = this.source): SimDevice {
    const copy = new SimDevice({ ...this.#options, seed, source, crypto: this.crypto }, this.flash.clone(seed));
    copy.nowMs = this.nowMs;
    copy.batteryVolts = this.batteryVolts;
    if (this.server.release !== undefined) copy.server.publish(this.server.release);
    return copy;
  }

  #slotArea(slot: 0 | 1) {
    return this.flash.area(slot === 0 ? 'ota_0' : 'ota_1');
  }

  #inspect(slot: 0 | 1): ImageInfo | undefined {
    const area = this.#slotArea(slot);
    return inspectImage((o, l) => area.read(o, l), area.size(), bootloaderCrypto);
  }

  /**
   * One boot. Returns 'sleep' when the image went to deep sleep with nothing to do; throws
   * Restart, Crash or PowerCut when the session ends otherwise.
   */
  async session(maxCycles = 40): Promise<'sleep' | 'idle'> {
    const record: BootRecord = { pending: false };
    this.boots.push(record);
    try {
      // The image check hashes the whole image: keep what it found for the slot chosen.
      const found: (ImageInfo | undefined)[] = [];
      const decision = selectBootSlot(this.flash.area('otadata'), (slot) => (found[slot] = this.#inspect(slot)) !== undefined);
      if (decision.slot === undefined) throw new Bricked('no slot holds a loadable image');
      const image = found[decision.slot]!;
      const slots = new FlashFirmwareSlots(this.flash, decision.slot);
      record.slot = decision.slot;
      record.version = image.version;
      record.pending = slots.runningState() === 'pending-verify';
      const kv = new FlashKv(this.flash.area('nvs'));
      // The floor rises only with a committed image: no boot may find it above the image it runs.
      const floor = readSecurityVersion(kv);
      if (floor !== undefined && floor > image.securityVersion) {
        this.violations.push(`boot ${this.boots.length}: security floor ${floor} above running ${image.version} (${image.securityVersion})`);
      }
      if (image.behaviour === 'crashes') throw new Crash(`${image.version} crashed at boot`);
      const log: LogPort = { log: (_level, code, fields) => this.#options.log?.(code, fields) };
      const updater = new Updater({
        slots, kv, crypto: this.crypto, source: this.source, log,
        power: { restart: () => { throw new Restart('restart'); } },
        clock: { monotonicMs: () => (this.#monotonic += 5) },
        identity: { board: image.board, version: image.version, securityVersion: image.securityVersion },
        trustedKeys: this.#options.trustedKeys,
        budget: { bytes: this.#options.budgetBytes ?? 8 * 1024, ms: 60_000 },
        healthTimeoutMs: this.#options.healthTimeoutMs ?? 60_000,
      });
      updater.onBoot({ nowMs: this.nowMs });
      for (let cycle = 0; cycle < maxCycles; cycle++) {
        const sensorsRead = image.behaviour !== 'fails-health';
        const outcome = updater.pendingOutcome();
        const answer = this.server.checkIn(image.version, outcome);
        // The check-in was answered: the server has the outcome.
        if (outcome !== undefined) updater.acknowledgeOutcome();
        updater.recordHealth({ sensorsRead, brokerReached: true, checkInAnswered: true, nowMs: this.nowMs });
        if (answer.offer !== undefined) {
          await updater.handleOffer(answer.offer, { nowMs: this.nowMs, deadlineMs: this.nowMs + 60_000, batteryVolts: this.batteryVolts });
        }
        this.nowMs += 10_000;
        if (updater.isPendingVerify()) continue; // a pending image must not deep-sleep
        return 'sleep';
      }
      return 'idle';
    } catch (error) {
      if (error instanceof PowerCut) record.cut = true;
      throw error;
    }
  }

  /**
   * Boots until the device has nothing left to do about the release (or `maxBoots`). Power cuts,
   * restarts and crashes end a session and the next one boots. Throws Bricked.
   */
  async run(maxBoots = 60, onCut?: () => void): Promise<void> {
    for (let boot = 0; boot < maxBoots; boot++) {
      try {
        await this.session();
      } catch (error) {
        if (error instanceof PowerCut || isFirmwareError(error, 'ERR_POWER_CUT')) {
          this.flash.powerOn();
          onCut?.();
          continue;
        }
        if (error instanceof Restart || error instanceof Crash) continue;
        throw error;
      }
      if (this.settled()) return;
    }
    throw new FirmwareError('ERR_DEADLINE', `not settled after ${maxBoots} boots`);
  }

  #kv(): FlashKv {
    return new FlashKv(this.flash.area('nvs'));
  }

  /** Nothing in flight: no download, no trial, no unreported outcome, no offer pending. */
  settled(): boolean {
    const kv = this.#kv();
    const p = readProgress(kv);
    const downloading = p !== undefined && p.offset < p.size;
    return !downloading && readTrial(kv) === undefined && kv.get(KV.outcome) === undefined &&
      this.server.checkIn(this.runningImage()?.version ?? '', undefined).offer === undefined;
  }

  /** What the bootloader would boot now, without changing anything (reads only). */
  runningImage(): (ImageInfo & { slot: 0 | 1 }) | undefined {
    const entries = readOtadata(this.flash.area('otadata'));
    const active = activeOtadata(entries);
    const order: (0 | 1)[] = active === -1 ? [0, 1] : slotOfSeq(entries[active].seq, 2) === 0 ? [0, 1] : [1, 0];
    for (const slot of order) {
      const info = this.#inspect(slot);
      if (info !== undefined) return { ...info, slot };
    }
    return undefined;
  }

  /** Checks that otadata is consistent: the active entry selects a loadable image and is VALID. */
  bootRecordProblems(): string[] {
    const problems: string[] = [];
    const entries = readOtadata(this.flash.area('otadata'));
    const active = activeOtadata(entries);
    if (active === -1) return ['no usable otadata entry'];
    const e = entries[active];
    if (e.state !== OTA_IMG.VALID) problems.push(`active entry state ${e.state}, not VALID`);
    const slot = slotOfSeq(e.seq, 2) as 0 | 1;
    if (this.#inspect(slot) === undefined) problems.push(`active entry selects slot ${slot}, which holds no loadable image`);
    for (const [i, x] of entries.entries()) {
      if (entryIntact(x) && (x.state === OTA_IMG.NEW || x.state === OTA_IMG.PENDING_VERIFY)) problems.push(`copy ${i} left in state ${x.state}`);
    }
    return problems;
  }

  securityVersionFloor(): number | undefined {
    return readSecurityVersion(this.#kv());
  }
}

export class Bricked extends Error {}
