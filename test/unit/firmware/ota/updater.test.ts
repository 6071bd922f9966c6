import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNobleCrypto, isFirmwareError, signManifest, type CryptoPort, type FirmwareManifest } from '../../../../firmware/index.js';
import { selectBootSlot } from '../../../../firmware/ota/boot.js';
import { keyId } from '../../../../firmware/ota/cose.js';
import type { FirmwareRead, FirmwareSource } from '../../../../firmware/ota/source.js';
import { KV } from '../../../../firmware/ota/state.js';
import { Updater, type UpdaterOptions } from '../../../../firmware/ota/updater.js';
import { ed25519PublicKey, ed25519Sign } from '../../../../hosts/node/crypto.js';
import { FlashFirmwareSlots } from '../../../../hosts/node/firmware-slots.js';
import { FlashKv } from '../../../../hosts/node/flash-kv.js';
import { createOtaFlash, type SimFlash } from '../../../../hosts/node/flash.js';
import { MemorySource } from '../../../../tools/ota/sim/memory-source.js';

const seed = new Uint8Array(createHash('sha256').update('updater test key').digest());
const publicKey = ed25519PublicKey(seed);
const IMAGE = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 7 + (i >> 9)) & 0xff);
IMAGE[0] = 0xe9;

class Restarted extends Error {}

function manifestFor(over: Partial<FirmwareManifest> = {}, image = IMAGE): Uint8Array {
  const m: FirmwareManifest = {
    version: '2.0.0', securityVersion: 2, board: 'b1', size: image.length,
    sha256: new Uint8Array(createHash('sha256').update(image).digest()), path: '/fw/2', ...over,
  };
  return signManifest(m, (tbs) => ed25519Sign(tbs, seed), { kid: keyId(publicKey, createNobleCrypto()) });
}

interface Rig {
  flash: SimFlash;
  source: MemorySource;
  verifies: () => number;
  make(over?: Partial<UpdaterOptions>): Updater;
  /** Reboot through the bootloader; returns the running slot. */
  reboot(): 0 | 1;
  kv(): FlashKv;
}

function rig(options: { source?: MemorySource; budget?: number } = {}): Rig {
  const flash = createOtaFlash({ slotSize: 32 * 1024, kvSectors: 2 });
  flash.area('ota_0').write(0, Uint8Array.of(0xe9, 1, 1, 1));
  const loadable = (slot: 0 | 1): boolean => flash.area(slot === 0 ? 'ota_0' : 'ota_1').read(0, 1)[0] === 0xe9;
  let running = selectBootSlot(flash.area('otadata'), loadable).slot!;
  const source = options.source ?? new MemorySource({ chunk: 999 });
  source.host('/fw/2', IMAGE, '"v2"');
  const noble = createNobleCrypto();
  let count = 0;
  const crypto: CryptoPort = { sha256: () => noble.sha256(), verifyEd25519: (s, m, k) => (count++, noble.verifyEd25519(s, m, k)) };
  let t = 0;
  return {
    flash, source, verifies: () => count,
    make: (over = {}) => new Updater({
      slots: new FlashFirmwareSlots(flash, running), kv: new FlashKv(flash.area('nvs')), crypto, source,
      power: { restart: () => { throw new Restarted(); } }, clock: { monotonicMs: () => (t += 1) },
      identity: { board: 'b1', version: '1.0.0', securityVersion: 1 }, trustedKeys: [publicKey],
      budget: { bytes: options.budget ?? 8192, ms: 60_000 }, healthTimeoutMs: 60_000, ...over,
    }),
    reboot: () => (running = selectBootSlot(flash.area('otadata'), loadable).slot!),
    kv: () => new FlashKv(flash.area('nvs')),
  };
}

const ctx = (battery = 3.9) => ({ nowMs: 1_000, deadlineMs: 61_000, batteryVolts: battery });
const offer = (manifest = manifestFor()) => ({ manifest, downloadPath: '/fw/2' });

async function offerUntilRestart(r: Rig, u: () => Updater, o = offer(), max = 10): Promise<number> {
  for (let wake = 1; wake <= max; wake++) {
    try {
      await u().handleOffer(o, ctx());
    } catch (error) {
      if (error instanceof Restarted) return wake;
      throw error;
    }
  }
  return -1;
}

describe('Updater wiring', () => {
  it('checks its ports and configuration when built, not at the first offer', () => {
    const r = rig();
    expect(() => r.make({ kv: undefined as never })).toThrow(expect.objectContaining({ code: 'ERR_PORT_MISSING' }));
    expect(() => r.make({ source: {} as FirmwareSource })).toThrow(/source\.read/);
    expect(() => r.make({ trustedKeys: [] })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
    expect(() => r.make({ trustedKeys: [new Uint8Array(31)] })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
    expect(() => r.make({ writeChunk: 1000 })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
  });
});

describe('Updater download', () => {
  it('downloads across wakes with Range and If-Range, verifying the signature once', async () => {
    const r = rig();
    const wakes = await offerUntilRestart(r, () => r.make());
    expect(wakes).toBe(3);
    expect(r.verifies()).toBe(1);
    expect(r.source.requests.map((q) => [q.offset, q.status, q.ifRange])).toEqual([[0, 200, undefined], [8192, 206, '"v2"'], [16384, 206, '"v2"']]);
    expect(r.flash.peek('ota_1', 0, IMAGE.length)).toEqual(IMAGE);
    expect(r.reboot()).toBe(1);
  });

  it('reports progress and wants a window while the download is unfinished', async () => {
    const r = rig();
    const u = r.make();
    expect(u.wantsWindow()).toBe(false);
    await u.handleOffer(offer(), ctx());
    expect(u.progress()).toEqual({ offset: 8192, size: IMAGE.length });
    expect(r.make().wantsWindow()).toBe(true);
  });

  it('restarts from byte 0 when the server answers 200 to a range, and then ignores the byte budget', async () => {
    const r = rig({ source: new MemorySource({ ignoreRange: true }) });
    expect(await offerUntilRestart(r, () => r.make())).toBe(2);
    expect(r.source.requests.map((q) => q.status)).toEqual([200, 200]);
    expect(r.flash.peek('ota_1', 0, IMAGE.length)).toEqual(IMAGE);
  });

  it('keeps its progress over a dropped connection and resumes where it stopped', async () => {
    const r = rig({ source: new MemorySource({ dropAfter: (i) => (i === 0 ? 5000 : undefined) }) });
    const u = r.make();
    await u.handleOffer(offer(), ctx());
    expect(u.progress()?.offset).toBe(4096); // the whole sector before the drop was saved
    expect(u.pendingOutcome()).toBeUndefined();
    expect(await offerUntilRestart(r, () => r.make())).toBe(2); // 4096..12288, then to the end
    expect(r.source.requests[1]!.offset).toBe(4096);
  });

  it('starts over when the representation changed under the same path (new ETag)', async () => {
    const r = rig();
    await r.make().handleOffer(offer(), ctx());
    r.source.host('/fw/2', IMAGE, '"v2-rebuilt"'); // If-Range no longer matches: 200 from 0
    expect(await offerUntilRestart(r, () => r.make())).toBe(1); // past the byte budget: pausing would restart again
    expect(r.source.requests.map((q) => q.status)).toEqual([200, 200]);
  });

  it('refuses an image the server serves shorter (200 length, 416) or longer than the manifest', async () => {
    for (const [served, code] of [[IMAGE.subarray(0, 10_000), 'ERR_OTA_TRUNCATED'], [new Uint8Array([...IMAGE, 1, 2, 3, 4]), 'ERR_OTA_SIZE']] as const) {
      const r = rig();
      r.source.host('/fw/2', served);
      await r.make().handleOffer(offer(), ctx());
      expect(r.make().pendingOutcome()).toEqual({ kind: 'failed', version: '2.0.0', reason: code });
      expect(r.flash.peek('ota_1', 0, 16).every((b) => b === 0xff)).toBe(true); // refused before writing
    }
    const r = rig();
    await r.make().handleOffer(offer(), ctx());
    r.source.host('/fw/2', IMAGE.subarray(0, 4000), '"v2"'); // same ETag, now shorter: 416 at 8192
    await r.make().handleOffer(offer(), ctx());
    expect(r.source.requests.at(-1)!.status).toBe(416);
    expect(r.make().pendingOutcome()).toEqual({ kind: 'failed', version: '2.0.0', reason: 'ERR_OTA_TRUNCATED' });
  });

  it('refuses a missing file (404) and does not verify or download a refused manifest again', async () => {
    const r = rig();
    const o = { manifest: manifestFor(), downloadPath: '/fw/missing' };
    await r.make().handleOffer(o, ctx());
    expect(r.make().pendingOutcome()).toEqual({ kind: 'failed', version: '2.0.0', reason: 'ERR_OTA_DOWNLOAD' });
    const ops = r.flash.operations;
    await r.make().handleOffer(o, ctx());
    expect(r.verifies()).toBe(1);
    expect(r.flash.operations).toBe(ops);
    expect(r.source.requests.length).toBe(1);
  });

  it('a battery below the minimum fails this offer only; the same offer proceeds later', async () => {
    const r = rig();
    const o = offer(manifestFor({ minBatteryVolts: 3.6 }));
    await r.make().handleOffer(o, ctx(3.5));
    expect(r.make().pendingOutcome()).toEqual({ kind: 'failed', version: '2.0.0', reason: 'ERR_OTA_BATTERY' });
    expect(r.source.requests.length).toBe(0);
    const u = r.make();
    await u.handleOffer(o, ctx(3.7));
    expect(u.progress()?.offset).toBe(8192);
  });

  it('refuses in the documented order: signature before board before security version before size', async () => {
    const cases: Array<[Partial<FirmwareManifest>, string]> = [
      [{ board: 'other', securityVersion: 0, size: 1 << 20 }, 'ERR_OTA_BOARD'],
      [{ securityVersion: 0, size: 1 << 20 }, 'ERR_OTA_SECURITY_VERSION'],
      [{ size: 1 << 20 }, 'ERR_OTA_SIZE'],
    ];
    for (const [over, reason] of cases) {
      const r = rig();
      await r.make().handleOffer(offer(manifestFor(over)), ctx());
      expect(r.make().pendingOutcome()?.kind === 'failed' && r.make().pendingOutcome()).toMatchObject({ reason });
    }
    const r = rig();
    const wrongKey = signManifest({ version: '2.0.0', securityVersion: 0, board: 'other', size: 1, sha256: new Uint8Array(32), path: '/x' },
      (tbs) => ed25519Sign(tbs, new Uint8Array(32).fill(9)));
    await r.make().handleOffer(offer(wrongKey), ctx());
    expect(r.make().pendingOutcome()).toEqual({ kind: 'failed', version: '2.0.0', reason: 'ERR_OTA_MANIFEST_SIGNATURE' });
    const junk = rig();
    await junk.make().handleOffer(offer(Uint8Array.of(1, 2, 3)), ctx());
    expect(junk.make().pendingOutcome()).toEqual({ kind: 'failed', version: 'unknown', reason: 'ERR_OTA_MANIFEST_MALFORMED' });
  });
});

describe('Updater trial boot', () => {
  async function installed(): Promise<Rig> {
    const r = rig({ budget: 1 << 20 });
    expect(await offerUntilRestart(r, () => r.make())).toBe(1);
    expect(r.reboot()).toBe(1);
    return r;
  }
  const v2 = { identity: { board: 'b1', version: '2.0.0', securityVersion: 2 } };

  it('commits on health evidence: valid, floor raised, outcome succeeded until acknowledged', async () => {
    const r = await installed();
    const u = r.make(v2);
    u.onBoot({ nowMs: 0 });
    expect(u.isPendingVerify()).toBe(true);
    expect(u.wantsWindow()).toBe(true);
    await u.handleOffer(offer(), ctx()); // ignored while pending
    u.recordHealth({ sensorsRead: true, brokerReached: false, checkInAnswered: false, nowMs: 10 });
    expect(u.isPendingVerify()).toBe(true);
    u.recordHealth({ sensorsRead: false, brokerReached: true, checkInAnswered: true, nowMs: 20 });
    expect(u.isPendingVerify()).toBe(false);
    expect(new FlashFirmwareSlots(r.flash, 1).runningState()).toBe('valid');
    expect(r.kv().get(KV.securityVersion)).toEqual(Uint8Array.of(2));
    expect(u.pendingOutcome()).toEqual({ kind: 'succeeded', version: '2.0.0' });
    u.acknowledgeOutcome();
    expect(u.pendingOutcome()).toBeUndefined();
    expect(r.kv().keys().filter((k) => k.startsWith('ota.'))).toEqual(['ota.sv']);
    // The raised floor now refuses what the old image would have taken.
    const after = r.make(v2);
    await after.handleOffer(offer(manifestFor({ version: '1.5.0', securityVersion: 1 })), ctx());
    expect(after.pendingOutcome()).toMatchObject({ kind: 'failed', reason: 'ERR_OTA_SECURITY_VERSION' });
  });

  it('rolls back after the health timeout; the old image reports it with the reason', async () => {
    const r = await installed();
    const u = r.make(v2);
    u.onBoot({ nowMs: 0 });
    u.recordHealth({ sensorsRead: false, brokerReached: true, checkInAnswered: true, nowMs: 30_000 });
    expect(() => u.recordHealth({ sensorsRead: false, brokerReached: true, checkInAnswered: true, nowMs: 60_000 })).toThrow(Restarted);
    expect(r.reboot()).toBe(0);
    const old = r.make();
    old.onBoot({ nowMs: 70_000 });
    expect(old.pendingOutcome()).toEqual({ kind: 'rolled_back', version: '2.0.0', reason: 'ERR_OTA_HEALTH' });
    expect(r.kv().get(KV.securityVersion)).toBeUndefined();
    // The same release is not installed again.
    const ops = r.flash.operations;
    await old.handleOffer(offer(), ctx());
    expect(r.flash.operations).toBe(ops);
  });

  it('a reset before the commit rolls back (ERR_OTA_CRASH_LOOP)', async () => {
    const r = await installed();
    r.make(v2).onBoot({ nowMs: 0 }); // ...and the device resets
    expect(r.reboot()).toBe(0);
    const old = r.make();
    old.onBoot({ nowMs: 1 });
    expect(old.pendingOutcome()).toEqual({ kind: 'rolled_back', version: '2.0.0', reason: 'ERR_OTA_CRASH_LOOP' });
  });

  it('keeps the health clock and evidence in its retained snapshot; refuses a corrupt one', async () => {
    const r = await installed();
    const u = r.make(v2);
    u.onBoot({ nowMs: 100 });
    u.recordHealth({ sensorsRead: true, brokerReached: false, checkInAnswered: false, nowMs: 200 });
    const snap = u.snapshot();
    const again = r.make(v2);
    again.onBoot({ nowMs: 5_000 });
    again.restore(snap);
    again.recordHealth({ sensorsRead: false, brokerReached: true, checkInAnswered: true, nowMs: 5_100 });
    expect(again.isPendingVerify()).toBe(false);
    try {
      again.restore(Uint8Array.of(0xff));
      expect.fail('expected ERR_STATE_CORRUPT');
    } catch (error) {
      expect(isFirmwareError(error, 'ERR_STATE_CORRUPT')).toBe(true);
    }
  });
});

// A source whose body reports a transport failure before any byte: progress and outcome untouched.
describe('Updater and a failing source', () => {
  it('treats transport errors as transient', async () => {
    const r = rig();
    const failing: FirmwareSource = {
      read: async (): Promise<FirmwareRead> => {
        const { FirmwareError } = await import('../../../../firmware/index.js');
        throw new FirmwareError('ERR_HTTP_TIMEOUT', 'no answer');
      },
    };
    const u = r.make({ source: failing });
    await u.handleOffer(offer(), ctx());
    expect(u.pendingOutcome()).toBeUndefined();
    expect(u.progress()).toEqual({ offset: 0, size: IMAGE.length });
  });

  for (const code of ['ERR_DNS', 'ERR_WIFI_JOIN'] as const) {
    it(`${code} during a download is retried at the next wake, not thrown out of the updater`, async () => {
      const r = rig();
      const { FirmwareError } = await import('../../../../firmware/index.js');
      const logged: string[] = [];
      const log = { log: (_level: string, c: string) => { logged.push(c); } };
      // The first wake gets a sector in, then the name stops resolving mid-download.
      const real = r.source;
      let calls = 0;
      const flaky: FirmwareSource = {
        read: async (path, first, last, etag) => {
          calls++;
          if (calls === 2 || calls === 3) throw new FirmwareError(code, 'ota.example.net');
          return real.read(path, first, last, etag);
        },
      };
      const u = () => r.make({ source: flaky, log });
      await u().handleOffer(offer(), ctx());
      const after1 = u().progress()!.offset;
      expect(after1).toBeGreaterThan(0);
      await expect(u().handleOffer(offer(), ctx())).resolves.toBeUndefined();
      expect(logged).toContain('OTA_DOWNLOAD_RETRY');
      expect(u().progress()!.offset).toBe(after1);
      expect(u().pendingOutcome()).toBeUndefined();
      // A failure before the first byte keeps the progress too; then the download finishes.
      await u().handleOffer(offer(), ctx());
      expect(u().progress()!.offset).toBe(after1);
      expect(await offerUntilRestart(r, u)).toBeGreaterThan(0);
      expect(r.verifies()).toBe(1);
    });
  }
});

describe('Updater after an earlier rollback', () => {
  it('a power cut just before the activation is not taken for a rollback of the new release', async () => {
    const r = rig({ budget: 1 << 20 });
    expect(await offerUntilRestart(r, () => r.make())).toBe(1);
    expect(r.reboot()).toBe(1); // 2.0.0 on trial... and it resets before committing
    expect(r.reboot()).toBe(0);
    const old = r.make();
    old.onBoot({ nowMs: 0 });
    expect(old.pendingOutcome()).toMatchObject({ kind: 'rolled_back', reason: 'ERR_OTA_CRASH_LOOP' });
    old.acknowledgeOutcome();
    // Slot 1's otadata entry is ABORTED with a larger seq than the running one: stale state.
    r.source.host('/fw/2', IMAGE, '"v2"');
    const next = manifestFor({ version: '2.0.1' });
    const slots = new FlashFirmwareSlots(r.flash, 0);
    const methods = ['running', 'runningState', 'entry', 'slotSize', 'eraseSize', 'writeAlign', 'eraseInactive', 'writeInactive', 'readInactive', 'markValid', 'rollbackPossible', 'markInvalidAndRollBack'] as const;
    const port = Object.fromEntries(methods.map((m) => [m, (slots[m] as (...a: unknown[]) => unknown).bind(slots)]));
    // Power goes as activateInactive starts: the trial must not exist yet.
    const cutting = r.make({ slots: { ...port, activateInactive: () => { throw new Error('power cut'); } } as unknown as FlashFirmwareSlots });
    await expect(cutting.handleOffer(offer(next), ctx())).rejects.toThrow('power cut');
    expect(r.reboot()).toBe(0);
    const after = r.make();
    after.onBoot({ nowMs: 1 });
    expect(after.pendingOutcome()).toBeUndefined();
    // The offer comes again: the verified download is reused, activation and trial follow.
    await expect(after.handleOffer(offer(next), ctx())).rejects.toThrow(Restarted);
    expect(r.reboot()).toBe(1);
  });
});
