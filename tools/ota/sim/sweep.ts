/**
 * The OTA power-cut sweep and the bad-image matrix (issue #4), after MCUboot's sim
 * (`run_perm_with_fails`), over the whole update: download, verify, activate, first boot, commit.
 *
 * 1. Count the flash operations (writes and erases) of a clean update from the offer to the
 *    settled device.
 * 2. For every index 1..N: replay the same update from the same start, cut power at that
 *    operation (a torn write or a partly erased sector), reboot, let the device carry on, and
 *    check: it boots a loadable image (old or new, never neither), the boot record is
 *    consistent (the active otadata entry is VALID and selects a loadable image, no entry left
 *    NEW or PENDING_VERIFY), the reported outcome matches what happened, and the security
 *    version floor rose only with a committed image.
 * 3. Runs with several random cuts (and a flaky link) per update.
 * 4. Bad images: each is refused or rolled back with its own reason; the old image keeps running.
 */
import { createHash } from 'node:crypto';
import { keyId, signCoseSign1 } from '../../../firmware/ota/cose.js';
import { signManifest, type FirmwareManifest } from '../../../firmware/ota/manifest.js';
import { createNodeCrypto, ed25519PublicKey, ed25519Sign } from '../../../hosts/node/crypto.js';
import { FlashKv } from '../../../hosts/node/flash-kv.js';
import type { CutMode } from '../../../hosts/node/flash.js';
import { Bricked, SIM_BOARD, SIM_SLOT_SIZE, SimDevice, type Release } from './device.js';
import { buildImage, type ImageBehaviour } from './image.js';
import { MemorySource } from './memory-source.js';

const OLD = { version: '1.0.0', securityVersion: 1 };

function seedKey(label: string): { seed: Uint8Array; publicKey: Uint8Array; kid: Uint8Array } {
  const seed = new Uint8Array(createHash('sha256').update(`ota sweep key ${label}`).digest());
  const publicKey = ed25519PublicKey(seed);
  return { seed, publicKey, kid: keyId(publicKey, createNodeCrypto()) };
}

export const RELEASE_KEY = seedKey('release');
export const OTHER_KEY = seedKey('someone else');

export interface ReleaseSpec {
  version?: string;
  securityVersion?: number;
  behaviour?: ImageBehaviour;
  board?: string;
  length?: number;
  /** Changes applied to what is hosted or signed (the bad-image matrix). */
  mutate?: 'flip-byte' | 'truncate' | 'wrong-key' | 'bad-signature' | 'malformed-cbor' | 'hash-mismatch';
  minBatteryVolts?: number;
}

/** Builds, signs and hosts a release; returns what the server offers. */
export function makeRelease(source: MemorySource, spec: ReleaseSpec = {}): Release {
  const version = spec.version ?? '2.0.0';
  const image = buildImage({
    version, securityVersion: spec.securityVersion ?? 2, board: spec.board ?? SIM_BOARD, behaviour: spec.behaviour ?? 'healthy',
    length: spec.length ?? 20_000,
  }, createNodeCrypto());
  const path = `/fw/${version}-${spec.mutate ?? spec.behaviour ?? 'ok'}-${spec.board ?? 'b'}-${spec.length ?? 0}-${spec.securityVersion ?? 2}`;
  const manifest: FirmwareManifest = {
    version, securityVersion: spec.securityVersion ?? 2, board: spec.board ?? SIM_BOARD, size: image.length,
    sha256: new Uint8Array(createHash('sha256').update(image).digest()), path,
  };
  if (spec.minBatteryVolts !== undefined) manifest.minBatteryVolts = spec.minBatteryVolts;
  let hosted = image;
  if (spec.mutate === 'flip-byte') {
    hosted = image.slice();
    hosted[12_345]! ^= 0x10;
  } else if (spec.mutate === 'truncate') {
    hosted = image.slice(0, image.length - 3000);
  } else if (spec.mutate === 'hash-mismatch') {
    manifest.sha256 = new Uint8Array(createHash('sha256').update('another image').digest());
  }
  source.host(path, hosted);
  const key = spec.mutate === 'wrong-key' ? OTHER_KEY : RELEASE_KEY;
  const sign = (tbs: Uint8Array): Uint8Array => ed25519Sign(tbs, key.seed);
  let signed: Uint8Array;
  if (spec.mutate === 'malformed-cbor') {
    // Signed by the right key, but the payload is not a manifest map (a CBOR map with a break).
    signed = signCoseSign1(Uint8Array.of(0xa2, 0x00, 0x01, 0xff), sign, { kid: key.kid });
  } else {
    signed = signManifest(manifest, sign, { kid: key.kid });
  }
  if (spec.mutate === 'bad-signature') {
    signed = signed.slice();
    signed[signed.length - 7]! ^= 0x01;
  }
  return { version, manifest: signed, path };
}

/** A device on its factory image, booted once (otadata written), nothing in flight. */
export async function makeBaseline(options: { seed?: number; budgetBytes?: number; kvFill?: number } = {}): Promise<SimDevice> {
  const device = new SimDevice({
    trustedKeys: [RELEASE_KEY.publicKey], factory: OLD, seed: options.seed ?? 1,
    ...(options.budgetBytes === undefined ? {} : { budgetBytes: options.budgetBytes }),
  });
  await device.run(3);
  // An application value rewritten many times brings the kv log near the end of its bank, so
  // the update's own records force a compaction midway (cut points inside it too).
  const kv = new FlashKv(device.flash.area('nvs'));
  const fillTo = options.kvFill ?? kv.bankBytes() - 330;
  for (let i = 0; kv.logBytes() < fillTo; i++) kv.set('app.counter', Uint8Array.of(i & 0xff, i >> 8, 1, 2, 3, 4, 5, 6));
  return device;
}

/**
 * A baseline whose last update crashed and was rolled back: otadata keeps an ABORTED entry for the
 * inactive slot, with a larger seq than the running one (stale state the next update must not
 * mistake for its own).
 */
export async function makeBaselineAfterRollback(baseline: SimDevice): Promise<SimDevice> {
  const device = baseline.fork(99);
  device.server.publish(makeRelease(device.source, { behaviour: 'crashes', version: '1.9.0' }));
  await device.run(40);
  const outcome = device.server.finalOutcome();
  if (outcome?.kind !== 'rolled_back' || device.runningImage()?.version !== OLD.version) throw new Error('setup: the crashing update did not roll back');
  return device;
}

export interface Expectation {
  /** What a run without faults ends with. */
  kind: 'succeeded' | 'failed' | 'rolled_back';
  reason?: string;
}

export interface RunCheck {
  ok: boolean;
  bricked: boolean;
  finalVersion: string | undefined;
  outcome: string;
  problems: string[];
  operations: number;
  /** Power cuts that happened. */
  cuts: number;
}

/** Runs an update on a fork of `baseline` (optionally with cuts) and checks the end state. */
export async function runUpdate(
  baseline: SimDevice,
  release: Release,
  expect: Expectation,
  options: { seed: number; cuts?: (cutIndex: number) => number | { at: number; mode: CutMode } | undefined; battery?: number; source?: MemorySource } = { seed: 1 },
): Promise<RunCheck> {
  if (options.source !== undefined) for (const [path, file] of baseline.source.files) options.source.files.set(path, file);
  const device = baseline.fork(options.seed, options.source);
  if (options.battery !== undefined) device.batteryVolts = options.battery;
  const start = device.flash.operations;
  const runningBefore = device.runningImage();
  const slotBytesBefore = runningBefore === undefined ? undefined : device.flash.peek(runningBefore.slot === 0 ? 'ota_0' : 'ota_1', 0, runningBefore.length);
  device.server.publish(release);
  let cuts = 0;
  const arm = (c: number | { at: number; mode: CutMode } | undefined): void => {
    if (typeof c === 'number') device.flash.cutAfter(c);
    else if (c !== undefined) device.flash.cutAfter(c.at, c.mode);
  };
  arm(options.cuts?.(0));
  const problems: string[] = [];
  let bricked = false;
  try {
    await device.run(80, () => {
      cuts++;
      arm(options.cuts?.(cuts));
    });
  } catch (error) {
    if (error instanceof Bricked) bricked = true;
    problems.push(`run: ${error instanceof Error ? error.message : String(error)}`);
  }
  device.flash.noCut();
  const final = device.runningImage();
  if (final === undefined) bricked = true;
  problems.push(...device.bootRecordProblems(), ...device.violations);
  const outcome = device.server.finalOutcome();
  // Power lost during the new image's trial boot, or inside a bootloader run (which may have
  // just written PENDING_VERIFY): ESP-IDF rolls back after either.
  const pendingCut = device.boots.some((b) => b.cut === true && (b.slot === undefined || (b.version === release.version && b.pending)));
  const describe = outcome === undefined ? 'none' : `${outcome.kind}${'reason' in outcome ? ` ${outcome.reason}` : ''}`;
  // What happened decides what must have been reported.
  if (final !== undefined) {
    if (final.version === release.version) {
      if (expect.kind !== 'succeeded') problems.push(`a bad image (${expect.reason}) is running`);
      if (outcome?.kind !== 'succeeded') problems.push(`running ${final.version} but reported ${describe}`);
      if (device.securityVersionFloor() !== final.securityVersion) problems.push(`security floor ${device.securityVersionFloor()} after commit of ${final.securityVersion}`);
    } else {
      if (final.version !== OLD.version) problems.push(`running ${final.version}, neither old nor new`);
      const floor = device.securityVersionFloor();
      if (floor !== undefined && floor > OLD.securityVersion) problems.push(`security floor rose to ${floor} without a commit`);
      const allowed = new Set<string>();
      if (expect.kind !== 'succeeded') allowed.add(`${expect.kind} ${expect.reason}`);
      // A reset (here: a power cut) of the new image's trial boot is a rollback by the bootloader.
      if (pendingCut) allowed.add('rolled_back ERR_OTA_CRASH_LOOP');
      if (!allowed.has(describe)) problems.push(`old image running, reported ${describe}; expected ${[...allowed].join(' or ') || 'success'}`);
      if (runningBefore !== undefined && slotBytesBefore !== undefined && final.slot === runningBefore.slot) {
        const now = device.flash.peek(final.slot === 0 ? 'ota_0' : 'ota_1', 0, runningBefore.length);
        if (!Buffer.from(now).equals(Buffer.from(slotBytesBefore))) problems.push('the running image was modified');
      }
    }
  }
  return { ok: problems.length === 0 && !bricked, bricked, finalVersion: final?.version, outcome: describe, problems, operations: device.flash.operations - start, cuts };
}

export interface SweepResult {
  scenario: string;
  operations: number;
  cutPoints: number;
  recovered: number;
  bricked: number;
  endedNew: number;
  endedOld: number;
  failures: Array<{ cut: number; mode?: CutMode; problems: string[] }>;
}

/**
 * Adds one run to a sweep's totals. `points`: the cut points the run stands for (the cuts that
 * happened, unless the sweep planned a fixed number).
 */
function tally(result: SweepResult, check: RunCheck, release: Release, at: { cut: number; mode?: CutMode }, points = check.cuts): void {
  result.cutPoints += points;
  if (check.bricked) result.bricked++;
  if (check.ok) result.recovered += points;
  else result.failures.push({ ...at, problems: check.problems });
  if (check.finalVersion === release.version) result.endedNew++;
  else result.endedOld++;
}

/** Counts a clean run's operations, then cuts at every `stride`-th index from 1 to N. */
export async function sweepCuts(
  baseline: SimDevice,
  release: Release,
  expect: Expectation,
  options: { stride?: number; onProgress?: (done: number, total: number) => void; scenario?: string } = {},
): Promise<SweepResult> {
  const clean = await runUpdate(baseline, release, expect, { seed: 1 });
  if (!clean.ok) throw new Error(`clean run failed: ${clean.problems.join('; ')}`);
  const total = clean.operations;
  const result: SweepResult = {
    scenario: options.scenario ?? release.version, operations: total, cutPoints: 0, recovered: 0, bricked: 0, endedNew: 0, endedOld: 0, failures: [],
  };
  const stride = options.stride ?? 1;
  // Power goes in the middle of each operation (torn) and just before it (the same as just
  // after the previous one); and just after the last one.
  const points: Array<{ at: number; mode: CutMode }> = [];
  for (let at = 1; at <= total; at += stride) points.push({ at, mode: 'torn' }, { at, mode: 'before' });
  points.push({ at: total, mode: 'after' });
  for (const point of points) {
    const check = await runUpdate(baseline, release, expect, { seed: point.at, cuts: (i) => (i === 0 ? point : undefined) });
    if (check.cuts !== 1) check.problems.push(`expected one cut at ${point.at} (${point.mode}), got ${check.cuts}`);
    check.ok &&= check.cuts === 1;
    tally(result, check, release, { cut: point.at, mode: point.mode }, 1);
    options.onProgress?.(point.at, total);
  }
  return result;
}

/**
 * Two cuts per update: the first at every `stride`-th operation (torn, or just before it), the
 * second at every `stride`-th operation after the reboot (torn). Slow: about (2N/stride)^2 runs.
 */
export async function sweepPairs(
  baseline: SimDevice,
  release: Release,
  expect: Expectation,
  options: { stride?: number; operations: number; scenario?: string },
): Promise<SweepResult> {
  const stride = options.stride ?? 1;
  const result: SweepResult = { scenario: options.scenario ?? 'pairs', operations: options.operations, cutPoints: 0, recovered: 0, bricked: 0, endedNew: 0, endedOld: 0, failures: [] };
  for (let first = 1; first <= options.operations; first += stride) {
    for (const mode of ['torn', 'before'] as const) {
      for (let second = 1; second <= options.operations; second += stride) {
        const cuts = [{ at: first, mode }, { at: second, mode: 'torn' as const }];
        const check = await runUpdate(baseline, release, expect, { seed: first * 1000 + second, cuts: (i) => cuts[i] });
        tally(result, check, release, { cut: first * 1000 + second, mode });
      }
    }
  }
  return result;
}

/** Updates with several random cuts each (random position and mode); every other run over a link that drops, every third one ignoring Range. */
export async function randomCuts(
  baseline: SimDevice,
  release: Release,
  expect: Expectation,
  options: { runs: number; cutsPerRun: number; seed: number; operations: number; alternate?: SimDevice },
): Promise<SweepResult> {
  const result: SweepResult = { scenario: `random x${options.cutsPerRun}`, operations: options.operations, cutPoints: 0, recovered: 0, bricked: 0, endedNew: 0, endedOld: 0, failures: [] };
  let x = options.seed >>> 0;
  const rand = (n: number): number => {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return 1 + (x % n);
  };
  for (let run = 0; run < options.runs; run++) {
    // Spread over the whole update: the first cut anywhere, later ones soon after each reboot.
    const modes: readonly CutMode[] = ['torn', 'before', 'after'];
    const cuts = Array.from({ length: options.cutsPerRun }, (_, i) => ({
      at: rand(i === 0 ? options.operations : Math.max(2, Math.floor(options.operations / 3))),
      mode: modes[rand(3) - 1]!,
    }));
    const flaky = run % 2 === 1 ? { dropAfter: (request: number) => (request % 3 === 0 ? 2500 + 977 * (request % 5) : undefined) } : {};
    const source = new MemorySource({ ...flaky, ignoreRange: run % 3 === 2, chunk: 700 + 131 * (run % 7) });
    // Every fourth run starts from the alternate baseline (e.g. one with a rolled-back update behind it).
    const from = options.alternate !== undefined && run % 4 === 3 ? options.alternate : baseline;
    const check = await runUpdate(from, release, expect, { seed: 1000 + run, cuts: (i) => cuts[i], source });
    tally(result, check, release, { cut: run });
  }
  return result;
}

export interface BadImageCase {
  name: string;
  spec: ReleaseSpec;
  battery?: number;
  expect: Expectation;
}

export const BAD_IMAGES: readonly BadImageCase[] = Object.freeze([
  { name: 'flipped byte', spec: { mutate: 'flip-byte' }, expect: { kind: 'failed', reason: 'ERR_OTA_HASH' } },
  { name: 'truncated', spec: { mutate: 'truncate' }, expect: { kind: 'failed', reason: 'ERR_OTA_TRUNCATED' } },
  { name: 'wrong key', spec: { mutate: 'wrong-key' }, expect: { kind: 'failed', reason: 'ERR_OTA_MANIFEST_SIGNATURE' } },
  { name: 'bad signature', spec: { mutate: 'bad-signature' }, expect: { kind: 'failed', reason: 'ERR_OTA_MANIFEST_SIGNATURE' } },
  { name: 'wrong board', spec: { board: 'esp32c3-other' }, expect: { kind: 'failed', reason: 'ERR_OTA_BOARD' } },
  { name: 'lower security version', spec: { securityVersion: 0 }, expect: { kind: 'failed', reason: 'ERR_OTA_SECURITY_VERSION' } },
  { name: 'oversized', spec: { length: SIM_SLOT_SIZE + 4096 }, expect: { kind: 'failed', reason: 'ERR_OTA_SIZE' } },
  { name: 'malformed manifest CBOR', spec: { mutate: 'malformed-cbor' }, expect: { kind: 'failed', reason: 'ERR_OTA_MANIFEST_MALFORMED' } },
  { name: 'manifest and image hash disagree', spec: { mutate: 'hash-mismatch' }, expect: { kind: 'failed', reason: 'ERR_OTA_HASH' } },
  { name: 'battery below the minimum', spec: { minBatteryVolts: 3.6 }, battery: 3.4, expect: { kind: 'failed', reason: 'ERR_OTA_BATTERY' } },
  { name: 'fails its health check', spec: { behaviour: 'fails-health' }, expect: { kind: 'rolled_back', reason: 'ERR_OTA_HEALTH' } },
  { name: 'crashes at every boot', spec: { behaviour: 'crashes' }, expect: { kind: 'rolled_back', reason: 'ERR_OTA_CRASH_LOOP' } },
]);

export interface MatrixRow { name: string; ok: boolean; outcome: string; problems: string[] }

export async function badImageMatrix(baseline: SimDevice): Promise<MatrixRow[]> {
  const rows: MatrixRow[] = [];
  for (const c of BAD_IMAGES) {
    const release = makeRelease(baseline.source, c.spec);
    const check = await runUpdate(baseline, release, c.expect, { seed: 7, ...(c.battery === undefined ? {} : { battery: c.battery }) });
    rows.push({ name: c.name, ok: check.ok, outcome: check.outcome, problems: check.problems });
  }
  return rows;
}
