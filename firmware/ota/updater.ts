/**
 * The device half of an over-the-air update (design section 4, issue #4): the UpdateStep of
 * the wake cycle.
 *
 * Offer (check-in) -> checks in order, each with its own reason code:
 *   signature against the trusted keys (ERR_OTA_MANIFEST_MALFORMED / ERR_OTA_MANIFEST_SIGNATURE),
 *   board (ERR_OTA_BOARD), security version not below the device's floor
 *   (ERR_OTA_SECURITY_VERSION), size fits the slot (ERR_OTA_SIZE), battery above the manifest's
 *   minimum (ERR_OTA_BATTERY).
 * -> download into the inactive slot, one sector at a time (erase, write, save progress), within
 *   a per-wake byte and time budget, resuming with Range / If-Range across wakes and reboots
 * -> read the slot back and compare SHA-256 (ERR_OTA_HASH) -> activate (otadata entry NEW)
 *   -> record the trial -> restart.
 * New image, first boot (the bootloader has made it PENDING_VERIFY):
 *   health evidence (sensors read, broker reached, check-in answered) within `healthTimeoutMs`
 *   -> mark valid -> raise the stored security version -> outcome succeeded.
 *   Timeout -> outcome rolled back (ERR_OTA_HEALTH) -> mark invalid -> restart into the old slot.
 *   Any restart before the commit (crash, watchdog, power cut, deep sleep) -> the bootloader marks
 *   the entry ABORTED and boots the old image, which reports rolled back (ERR_OTA_CRASH_LOOP).
 *   ESP-IDF's bootloader allows exactly one boot in PENDING_VERIFY: that is the bound on boots;
 *   the wake cycle must not deep-sleep a pending image before it commits.
 *
 * Every step is ordered so that a power cut at any flash write leaves the device on a valid
 * image, with records that say what happened (tools/ota/sweep.ts proves it at every cut).
 * Only one signature verification (about 11.5 M computrons on XS) per offered manifest: a
 * resumed download recognises the manifest by its digest.
 */
import { FirmwareError, isFirmwareError, type ErrorCode } from '../errors.js';
import type { CheckInAnswer, UpdateOutcome, UpdateStep } from '../node/steps.js';
import type { ClockPort } from '../ports/clock.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { FirmwareSlotsPort, SlotIndex } from '../ports/firmware-slots.js';
import type { KvPort } from '../ports/kv.js';
import type { LogPort } from '../ports/log.js';
import type { PowerPort } from '../ports/power.js';
import { encode, decode } from '../codec/cbor.js';
import { equalBytes } from '../codec/bytes.js';
import { cborMap } from './cose.js';
import { manifestDigest, parseSignedManifest, verifySignedManifest, type FirmwareManifest } from './manifest.js';
import type { FirmwareRead, FirmwareSource } from './source.js';
import {
  KV, readOutcome, readProgress, readRefused, readSecurityVersion, readTrial, writeOutcome, writeProgress,
  writeRefused, writeSecurityVersion, writeTrial, type Progress, type Trial,
} from './state.js';

export interface UpdaterIdentity {
  /** The board id images must name. */
  board: string;
  /** Version of the running image (its build). */
  version: string;
  /** Security version of the running image (its build); the floor starts here. */
  securityVersion: number;
}

export interface UpdaterOptions {
  slots: FirmwareSlotsPort;
  kv: KvPort;
  crypto: CryptoPort;
  source: FirmwareSource;
  power: Pick<PowerPort, 'restart'>;
  clock: Pick<ClockPort, 'monotonicMs'>;
  log?: LogPort;
  identity: UpdaterIdentity;
  /** Ed25519 public keys (32 bytes each) whose signatures the device accepts. */
  trustedKeys: readonly Uint8Array[];
  /** Per-wake download budget (defaults: 256 KiB, 30 s). */
  budget?: { bytes?: number; ms?: number };
  /** Time a pending image has to show health evidence (default 120 s). */
  healthTimeoutMs?: number;
  /** Bytes per flash write (default 1024; a multiple of the slots' write unit). */
  writeChunk?: number;
}

/**
 * Reasons that are not about this manifest: keep the progress, try again at a later offer.
 * Every transport code by name (never by prefix): a new code is placed here on purpose.
 * ERR_HTTP_STATUS is decided by its status in #downloadError. A name that does not resolve and a
 * station that lost its access point (the ESP32 socket port's resolve waits on the Wi-Fi join)
 * are the network's state, not the manifest's: retried at the next wake like a dropped socket.
 */
const TRANSIENT: readonly ErrorCode[] = Object.freeze([
  'ERR_HTTP_TIMEOUT', 'ERR_HTTP_HEADERS_TOO_LARGE', 'ERR_HTTP_PROTOCOL', 'ERR_HTTP_BODY_TOO_LARGE', 'ERR_HTTP_RANGE',
  'ERR_SOCKET_TLS_UNSUPPORTED', 'ERR_SOCKET_CLOSED', 'ERR_SOCKET_CONNECT', 'ERR_SOCKET_NOT_CONNECTED', 'ERR_SOCKET_OVERFLOW',
  'ERR_DNS', 'ERR_WIFI_JOIN', 'ERR_DEADLINE',
] as const);

type DownloadResult = { kind: 'complete' } | { kind: 'paused' } | { kind: 'retry'; why: string } | { kind: 'refuse'; code: ErrorCode; detail: string };

/** The progress record at `offset`, with the representation's ETag when there is one. */
function progressAt(p: Progress, offset: number, etag: string | undefined): Progress {
  const next: Progress = { digest: p.digest, offset, size: p.size };
  if (etag !== undefined) next.etag = etag;
  return next;
}

function requirePort(value: unknown, name: string, methods: readonly string[]): void {
  const o = value as Record<string, unknown> | undefined;
  for (const m of methods) {
    if (o === undefined || o === null || typeof o[m] !== 'function') throw new FirmwareError('ERR_PORT_MISSING', `${name}.${m}`);
  }
}

export class Updater implements UpdateStep {
  readonly #o: Required<Omit<UpdaterOptions, 'log' | 'budget'>> & { log: LogPort | undefined; budgetBytes: number; budgetMs: number };
  /** Health check of a pending image, this boot only. */
  #health: { startMs: number | undefined; sensorsRead: boolean; brokerReached: boolean; checkInAnswered: boolean } | undefined;

  constructor(options: UpdaterOptions) {
    // Checked at wiring time (style item 7), not at the first offer.
    requirePort(options.slots, 'slots', ['running', 'runningState', 'entry', 'slotSize', 'eraseSize', 'writeAlign', 'eraseInactive', 'writeInactive', 'readInactive', 'activateInactive', 'markValid', 'rollbackPossible', 'markInvalidAndRollBack']);
    requirePort(options.kv, 'kv', ['get', 'set', 'delete', 'keys']);
    requirePort(options.crypto, 'crypto', ['sha256', 'verifyEd25519']);
    requirePort(options.source, 'source', ['read']);
    requirePort(options.power, 'power', ['restart']);
    requirePort(options.clock, 'clock', ['monotonicMs']);
    const id = options.identity;
    if (id === undefined || typeof id.board !== 'string' || typeof id.version !== 'string' || !Number.isInteger(id.securityVersion)) {
      throw new FirmwareError('ERR_CONFIG_INVALID', 'updater identity needs board, version and securityVersion');
    }
    if (!Array.isArray(options.trustedKeys) || options.trustedKeys.length === 0 || options.trustedKeys.some((k) => !(k instanceof Uint8Array) || k.length !== 32)) {
      throw new FirmwareError('ERR_CONFIG_INVALID', 'trustedKeys needs at least one 32-byte Ed25519 public key');
    }
    const writeChunk = options.writeChunk ?? 1024;
    const align = options.slots.writeAlign();
    if (writeChunk <= 0 || writeChunk % align !== 0 || options.slots.eraseSize() % writeChunk !== 0) {
      throw new FirmwareError('ERR_CONFIG_INVALID', `writeChunk ${writeChunk} must divide the sector and be a multiple of ${align}`);
    }
    this.#o = {
      slots: options.slots, kv: options.kv, crypto: options.crypto, source: options.source, power: options.power,
      clock: options.clock, log: options.log, identity: { ...id }, trustedKeys: options.trustedKeys.map((k) => k.slice()),
      healthTimeoutMs: options.healthTimeoutMs ?? 120_000, writeChunk,
      budgetBytes: options.budget?.bytes ?? 256 * 1024, budgetMs: options.budget?.ms ?? 30_000,
    };
  }

  // ---- boot and health -------------------------------------------------------------------

  onBoot(context: { nowMs: number }): void {
    const { slots, kv } = this.#o;
    const running = slots.running();
    const state = slots.runningState();
    const trial = readTrial(kv);
    if (state === 'pending-verify') {
      if (trial === undefined || trial.target !== running) {
        // Power went between the activation and the trial record: record this trial now, so a
        // commit interrupted after mark-valid is still finished (and reported) at the next boot.
        const { identity } = this.#o;
        writeTrial(kv, { version: identity.version, securityVersion: identity.securityVersion, target: running, digest: new Uint8Array(0) });
      }
      this.#health = { startMs: context.nowMs, sensorsRead: false, brokerReached: false, checkInAnswered: false };
      this.#log('info', 'OTA_PENDING_VERIFY', { version: this.#o.identity.version, slot: running });
      return;
    }
    this.#health = undefined;
    if (trial === undefined) return;
    if (running === trial.target) {
      // Marked valid before a cut interrupted the rest of the commit: finish it.
      if (state === 'valid') this.#finishCommit(trial);
      return;
    }
    const target = slots.entry(trial.target);
    const mine = slots.entry(running);
    const activated = target !== undefined && (mine === undefined || target.seq > mine.seq);
    if (activated && (target.state === 'aborted' || target.state === 'invalid' || target.state === 'pending-verify')) {
      // The new image ran and did not commit: it marked itself invalid (health) or was reset first.
      const recorded = readOutcome(kv);
      const reason = recorded !== undefined && recorded.kind === 'rolled_back' && recorded.version === trial.version
        ? recorded.reason
        : target.state === 'invalid' ? 'ERR_OTA_HEALTH' : 'ERR_OTA_CRASH_LOOP';
      writeOutcome(kv, { kind: 'rolled_back', version: trial.version, reason });
      writeRefused(kv, { digest: trial.digest, reason });
      kv.delete(KV.progress);
      kv.delete(KV.trial);
      this.#log('warn', 'OTA_ROLLED_BACK', { version: trial.version, reason });
      return;
    }
    // The activation did not survive (the bootloader's NEW -> PENDING_VERIFY rewrite was cut):
    // the slot was verified, so the next offer of the same manifest re-checks the hash and
    // activates again.
    kv.delete(KV.trial);
    this.#log('warn', 'OTA_ACTIVATION_LOST', { version: trial.version });
  }

  recordHealth(evidence: { sensorsRead: boolean; brokerReached: boolean; checkInAnswered: boolean; nowMs: number }): void {
    const h = this.#health;
    if (h === undefined) return;
    h.startMs ??= evidence.nowMs;
    h.sensorsRead ||= evidence.sensorsRead;
    h.brokerReached ||= evidence.brokerReached;
    h.checkInAnswered ||= evidence.checkInAnswered;
    if (h.sensorsRead && h.brokerReached && h.checkInAnswered) {
      this.#commit();
    } else if (evidence.nowMs - h.startMs >= this.#o.healthTimeoutMs) {
      const missing = (['sensorsRead', 'brokerReached', 'checkInAnswered'] as const).filter((k) => !h[k]).join(',');
      this.#rollBack('ERR_OTA_HEALTH', missing);
    }
  }

  /** True while this boot's image awaits its health check. */
  isPendingVerify(): boolean {
    return this.#health !== undefined;
  }

  #commit(): void {
    const { slots, kv } = this.#o;
    slots.markValid();
    this.#health = undefined;
    const trial = readTrial(kv);
    this.#finishCommit(trial !== undefined && trial.target === slots.running() ? trial : undefined);
  }

  /** After mark-valid: raise the floor, record success, clear the update records. Idempotent. */
  #finishCommit(trial: Trial | undefined): void {
    const { kv, identity } = this.#o;
    const floor = readSecurityVersion(kv) ?? 0;
    const reached = Math.max(identity.securityVersion, trial?.securityVersion ?? 0);
    if (reached > floor) writeSecurityVersion(kv, reached);
    writeOutcome(kv, { kind: 'succeeded', version: identity.version });
    kv.delete(KV.progress);
    kv.delete(KV.refused);
    kv.delete(KV.trial);
    this.#log('info', 'OTA_COMMITTED', { version: identity.version, securityVersion: reached });
  }

  #rollBack(reason: ErrorCode, detail: string): void {
    const { slots, kv, identity, power } = this.#o;
    // The outcome first: if power goes before the otadata write, the bootloader aborts this image
    // anyway and the old one still reports the true reason.
    writeOutcome(kv, { kind: 'rolled_back', version: identity.version, reason });
    try {
      slots.markInvalidAndRollBack();
    } catch (error) {
      if (!isFirmwareError(error, 'ERR_OTA_ROLLBACK_FAILED')) throw error;
      // Nothing to return to: keep this image rather than brick (it stays pending until reset).
      writeOutcome(kv, { kind: 'failed', version: identity.version, reason: 'ERR_OTA_ROLLBACK_FAILED' });
      this.#log('error', 'ERR_OTA_ROLLBACK_FAILED', { version: identity.version });
      return;
    }
    this.#health = undefined;
    this.#log('warn', 'OTA_ROLLING_BACK', { version: identity.version, reason, detail });
    power.restart();
  }

  // ---- offers ----------------------------------------------------------------------------

  async handleOffer(offer: NonNullable<CheckInAnswer['update']>, context: { nowMs: number; deadlineMs: number; batteryVolts: number }): Promise<void> {
    const { slots, kv, crypto } = this.#o;
    // esp_ota_begin refuses while the running image is unconfirmed: commit first.
    if (this.#health !== undefined || slots.runningState() === 'pending-verify') return;
    if (readTrial(kv) !== undefined) return; // an activation is on its way (restart pending)
    const bytes = offer.manifest;
    const digest = manifestDigest(bytes, crypto);
    const refused = readRefused(kv);
    if (refused !== undefined && equalBytes(refused.digest, digest)) return; // refused before: no second verify
    let progress = readProgress(kv);
    let manifest: FirmwareManifest;
    if (progress !== undefined && equalBytes(progress.digest, digest)) {
      // Verified when the download began (the progress record holds its digest).
      manifest = parseSignedManifest(bytes).manifest;
    } else {
      try {
        manifest = verifySignedManifest(bytes, this.#o.trustedKeys, crypto).manifest;
      } catch (error) {
        if (isFirmwareError(error, 'ERR_OTA_MANIFEST_MALFORMED') || isFirmwareError(error, 'ERR_OTA_MANIFEST_SIGNATURE')) {
          this.#refuse(digest, unverifiedVersion(bytes), error.code, error.message);
          return;
        }
        throw error;
      }
      const refusal = this.#check(manifest);
      if (refusal !== undefined) {
        this.#refuse(digest, manifest.version, refusal.code, refusal.detail);
        return;
      }
      if (manifest.version === this.#o.identity.version && manifest.securityVersion === this.#o.identity.securityVersion) return; // already running it
      progress = undefined;
    }
    if (manifest.minBatteryVolts !== undefined && context.batteryVolts < manifest.minBatteryVolts) {
      // Not remembered as refused: the battery recovers. Progress is kept.
      this.#report({ kind: 'failed', version: manifest.version, reason: 'ERR_OTA_BATTERY' });
      this.#log('warn', 'ERR_OTA_BATTERY', { volts: context.batteryVolts, min: manifest.minBatteryVolts });
      return;
    }
    if (progress === undefined) {
      progress = { digest, offset: 0, size: manifest.size };
      writeProgress(kv, progress);
    }
    const path = offer.downloadPath.length > 0 ? offer.downloadPath : manifest.path;
    const result = await this.#download(path, progress, context);
    if (result.kind === 'paused' || result.kind === 'retry') {
      if (result.kind === 'retry') this.#log('warn', 'OTA_DOWNLOAD_RETRY', { why: result.why, offset: readProgress(kv)?.offset });
      return;
    }
    if (result.kind === 'refuse') {
      kv.delete(KV.progress);
      this.#refuse(digest, manifest.version, result.code, result.detail);
      return;
    }
    if (!equalBytes(this.#hashSlot(manifest.size), manifest.sha256)) {
      kv.delete(KV.progress);
      this.#refuse(digest, manifest.version, 'ERR_OTA_HASH', 'slot read back differs from the manifest');
      return;
    }
    const target: SlotIndex = slots.running() === 0 ? 1 : 0;
    slots.activateInactive();
    // The trial is recorded after the activation, so a trial always means that the target's
    // otadata copy was rewritten for it: an ABORTED or INVALID entry left there by an earlier
    // failed update can never be mistaken for this one. A cut between the two leaves no trial;
    // the new image still boots and commits (or, if it fails, the offer comes again and the
    // second attempt is recorded).
    writeTrial(kv, { version: manifest.version, securityVersion: manifest.securityVersion, target, digest });
    this.#log('info', 'OTA_ACTIVATED', { version: manifest.version, slot: target });
    this.#o.power.restart();
  }

  #check(m: FirmwareManifest): { code: ErrorCode; detail: string } | undefined {
    const { identity, kv, slots } = this.#o;
    if (m.board !== identity.board) return { code: 'ERR_OTA_BOARD', detail: `${m.board} is not ${identity.board}` };
    const floor = Math.max(identity.securityVersion, readSecurityVersion(kv) ?? 0);
    if (m.securityVersion < floor) return { code: 'ERR_OTA_SECURITY_VERSION', detail: `${m.securityVersion} < ${floor}` };
    if (m.size > slots.slotSize()) return { code: 'ERR_OTA_SIZE', detail: `${m.size} > ${slots.slotSize()}` };
    return undefined;
  }

  #refuse(digest: Uint8Array, version: string, code: ErrorCode, detail: string): void {
    writeRefused(this.#o.kv, { digest, reason: code });
    this.#report({ kind: 'failed', version, reason: code });
    this.#log('warn', code, { version, detail });
  }

  /** Writes an outcome unless the same one is already waiting (saves a flash write per wake). */
  #report(outcome: UpdateOutcome): void {
    const current = readOutcome(this.#o.kv);
    if (current !== undefined && current.kind === outcome.kind && current.version === outcome.version &&
      (current as { reason?: string }).reason === (outcome as { reason?: string }).reason) return;
    writeOutcome(this.#o.kv, outcome);
  }

  // ---- download --------------------------------------------------------------------------

  async #download(path: string, progress: Progress, context: { nowMs: number; deadlineMs: number }): Promise<DownloadResult> {
    const { slots, source, clock, kv } = this.#o;
    if (progress.offset >= progress.size) return { kind: 'complete' };
    const started = clock.monotonicMs();
    const timeLimit = Math.max(0, Math.min(this.#o.budgetMs, context.deadlineMs - context.nowMs));
    let read: FirmwareRead;
    try {
      read = await source.read(path, progress.offset, undefined, progress.offset > 0 ? progress.etag : undefined);
    } catch (error) {
      return this.#downloadError(error);
    }
    let offset = progress.offset;
    let ignoreByteBudget = false;
    if (read.status === 416) {
      // Nothing at or after our offset: the image there is shorter than the manifest says.
      return { kind: 'refuse', code: 'ERR_OTA_TRUNCATED', detail: `server has ${read.complete} bytes, manifest ${progress.size}` };
    }
    const served = read.status === 206 ? read.complete : read.length;
    if (served !== undefined && served !== progress.size) {
      // The representation's length is known before a byte is written (Content-Range / Content-Length).
      return { kind: 'refuse', code: served < progress.size ? 'ERR_OTA_TRUNCATED' : 'ERR_OTA_SIZE', detail: `server has ${served} bytes, manifest ${progress.size}` };
    }
    if (read.status === 206) {
      if (read.first !== offset) return { kind: 'retry', why: `206 from ${read.first}, asked from ${offset}` };
      if (progress.etag !== undefined && read.etag !== undefined && read.etag !== progress.etag) {
        // A different representation without If-Range's 200: never mix two (RFC 9110 15.3.7.3).
        writeProgress(kv, progressAt(progress, 0, undefined));
        return { kind: 'retry', why: 'etag changed' };
      }
    } else {
      // 200: the whole image from byte 0, whatever we asked (protocols.md section 6).
      if (offset > 0) {
        // The server ignores Range (or the image changed): pausing again would restart again, so
        // this wake downloads past the byte budget, within the time limit.
        ignoreByteBudget = true;
        offset = 0;
        writeProgress(kv, progressAt(progress, 0, read.etag));
      }
    }
    const etag = read.etag ?? (read.status === 206 ? progress.etag : undefined);
    const sector = slots.eraseSize();
    const buffer = new Uint8Array(sector);
    let fill = 0;
    let written = 0;
    const flush = (): void => {
      slots.eraseInactive(offset, sector);
      const padded = Math.ceil(fill / slots.writeAlign()) * slots.writeAlign();
      if (padded > fill) buffer.fill(0xff, fill, padded);
      for (let at = 0; at < padded; at += this.#o.writeChunk) {
        slots.writeInactive(offset + at, buffer.subarray(at, Math.min(at + this.#o.writeChunk, padded)));
      }
      offset += fill;
      written += fill;
      fill = 0;
      writeProgress(kv, progressAt(progress, offset, etag));
    };
    try {
      for await (const chunk of read.body) {
        let at = 0;
        while (at < chunk.length) {
          if (offset + fill >= progress.size) {
            return { kind: 'refuse', code: 'ERR_OTA_SIZE', detail: `image longer than the manifest's ${progress.size} bytes` };
          }
          const n = Math.min(chunk.length - at, sector - fill, progress.size - offset - fill);
          buffer.set(chunk.subarray(at, at + n), fill);
          fill += n;
          at += n;
          if (fill === sector || offset + fill === progress.size) {
            flush();
            // Whole: any byte left in this chunk or a later one is refused at the loop's top.
            if (offset === progress.size) continue;
            if ((!ignoreByteBudget && written >= this.#o.budgetBytes) || clock.monotonicMs() - started >= timeLimit) return { kind: 'paused' };
          }
        }
      }
    } catch (error) {
      if (isFirmwareError(error, 'ERR_POWER_CUT')) throw error;
      // Whatever was flushed is saved; the partial sector in RAM is fetched again next time.
      return this.#downloadError(error);
    }
    if (offset === progress.size) return { kind: 'complete' };
    // A declared length is the manifest's (checked above): the connection dropped, try again.
    if (served !== undefined) return { kind: 'retry', why: `body ended at ${offset + fill}` };
    return { kind: 'refuse', code: 'ERR_OTA_TRUNCATED', detail: `image ended at ${offset + fill} of ${progress.size}` };
  }

  #downloadError(error: unknown): DownloadResult {
    if (!isFirmwareError(error)) throw error;
    if (error.code === 'ERR_POWER_CUT') throw error;
    if (error.code === 'ERR_HTTP_STATUS') {
      const status = error.details?.status;
      if (status === 404 || status === 410) return { kind: 'refuse', code: 'ERR_OTA_DOWNLOAD', detail: `HTTP ${String(status)}` };
      return { kind: 'retry', why: `HTTP ${String(status)}` };
    }
    if (TRANSIENT.includes(error.code)) return { kind: 'retry', why: error.code };
    throw error;
  }

  #hashSlot(size: number): Uint8Array {
    const { slots, crypto } = this.#o;
    const h = crypto.sha256();
    const step = slots.eraseSize();
    for (let at = 0; at < size; at += step) h.update(slots.readInactive(at, Math.min(step, size - at)));
    return h.digest();
  }

  // ---- reporting, wake planning, retained state -------------------------------------------

  pendingOutcome(): UpdateOutcome | undefined {
    return readOutcome(this.#o.kv);
  }

  acknowledgeOutcome(): void {
    if (this.#o.kv.get(KV.outcome) !== undefined) this.#o.kv.delete(KV.outcome);
  }

  wantsWindow(): boolean {
    if (this.#health !== undefined) return true;
    const p = readProgress(this.#o.kv);
    return p !== undefined && p.offset < p.size;
  }

  /** Download progress for status displays: bytes saved of the image size. */
  progress(): { offset: number; size: number } | undefined {
    const p = readProgress(this.#o.kv);
    return p === undefined ? undefined : { offset: p.offset, size: p.size };
  }

  snapshot(): Uint8Array {
    const h = this.#health;
    if (h === undefined) return encode(new Map<number, unknown>());
    const flags = (h.sensorsRead ? 1 : 0) | (h.brokerReached ? 2 : 0) | (h.checkInAnswered ? 4 : 0);
    return encode(new Map<number, unknown>([[1, h.startMs ?? null], [2, flags]]));
  }

  restore(bytes: Uint8Array): void {
    let m: Map<unknown, unknown> | undefined;
    try {
      m = cborMap(decode(bytes));
    } catch {
      m = undefined;
    }
    if (m === undefined) throw new FirmwareError('ERR_STATE_CORRUPT', 'update section');
    if (m.size === 0) return;
    const start = m.get(1), flags = m.get(2);
    if ((start !== null && typeof start !== 'number') || typeof flags !== 'number') throw new FirmwareError('ERR_STATE_CORRUPT', 'update section');
    // Only meaningful while this boot is pending; onBoot decides that from the slots port.
    if (this.#health !== undefined) {
      this.#health.startMs = typeof start === 'number' ? start : this.#health.startMs;
      this.#health.sensorsRead ||= (flags & 1) !== 0;
      this.#health.brokerReached ||= (flags & 2) !== 0;
      this.#health.checkInAnswered ||= (flags & 4) !== 0;
    }
  }

  #log(level: 'debug' | 'info' | 'warn' | 'error', code: string, fields?: Record<string, unknown>): void {
    this.#o.log?.log(level, code, fields);
  }
}

/** The version named by an unverified manifest, for the failure report only. */
function unverifiedVersion(bytes: Uint8Array): string {
  try {
    return parseSignedManifest(bytes).manifest.version;
  } catch {
    return 'unknown';
  }
}
