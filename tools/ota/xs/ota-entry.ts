/**
 * XS entry for the OTA crypto checks: bundled by hosts/xs bundle() and run inside xsnap by
 * test/hosts/xs/ota-crypto.test.ts and bench/ota.bench.ts. Uses the same firmware modules the
 * device runs: firmware/crypto/noble.ts and firmware/ota/manifest.ts.
 */
import { createNobleCrypto } from '../../../firmware/crypto/noble.js';
import { selectBootSlot } from '../../../firmware/ota/boot.js';
import { verifySignedManifest } from '../../../firmware/ota/manifest.js';
import { Updater } from '../../../firmware/ota/updater.js';
import { FlashFirmwareSlots } from '../../../hosts/node/firmware-slots.js';
import { FlashKv } from '../../../hosts/node/flash-kv.js';
import { createOtaFlash } from '../../../hosts/node/flash.js';
import { serve } from '../../../hosts/xs/guest/serve.js';
import { MemorySource } from '../sim/memory-source.js';

const crypto = createNobleCrypto();

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** The byte at index i of the test pattern (same formula on the Node side). */
function patternByte(i: number): number {
  return (i * 31 + (i >> 8)) & 0xff;
}

serve({
  sha256Hex: (args) => {
    const h = crypto.sha256();
    h.update(fromHex((args as { hex: string }).hex));
    return toHex(h.digest());
  },
  /** Streams `length` pattern bytes through SHA-256 in `chunk`-byte updates. */
  sha256Pattern: (args) => {
    const { length, chunk } = args as { length: number; chunk: number };
    const buf = new Uint8Array(chunk);
    const h = crypto.sha256();
    for (let off = 0; off < length; off += chunk) {
      const n = Math.min(chunk, length - off);
      for (let i = 0; i < n; i++) buf[i] = patternByte(off + i);
      h.update(n === chunk ? buf : buf.subarray(0, n));
    }
    return toHex(h.digest());
  },
  /** Fills a chunk of the pattern without hashing: the baseline to subtract. */
  pattern: (args) => {
    const { length, chunk } = args as { length: number; chunk: number };
    const buf = new Uint8Array(chunk);
    let x = 0;
    for (let off = 0; off < length; off += chunk) {
      const n = Math.min(chunk, length - off);
      for (let i = 0; i < n; i++) buf[i] = patternByte(off + i);
      x ^= buf[0]!;
    }
    return x;
  },
  verify: (args) => {
    const { signature, message, publicKey } = args as { signature: string; message: string; publicKey: string };
    return crypto.verifyEd25519(fromHex(signature), fromHex(message), fromHex(publicKey));
  },
  /**
   * A whole update inside XS: the updater (noble crypto) downloads a pattern image from an
   * in-memory source into the flash model across wakes, activates, boots it pending, commits.
   * The flash model and kv are the node host's, which are plain TypeScript over Uint8Array.
   */
  update: async (args) => {
    const { manifest, publicKey, length, path } = args as { manifest: string; publicKey: string; length: number; path: string };
    const flash = createOtaFlash({ slotSize: 64 * 1024, kvSectors: 2 });
    flash.area('ota_0').write(0, Uint8Array.of(0xe9, 0, 0, 0));
    const image = new Uint8Array(length);
    for (let i = 0; i < length; i++) image[i] = patternByte(i);
    image[0] = 0xe9;
    const source = new MemorySource({ chunk: 1400 });
    source.host(path, image);
    const loadable = (slot: 0 | 1): boolean => flash.area(slot === 0 ? 'ota_0' : 'ota_1').read(0, 1)[0] === 0xe9;
    let running = selectBootSlot(flash.area('otadata'), loadable).slot!;
    let t = 0;
    let restarted = false;
    const make = (version: string, securityVersion: number): Updater => new Updater({
      slots: new FlashFirmwareSlots(flash, running), kv: new FlashKv(flash.area('nvs')), crypto, source,
      power: { restart: () => { restarted = true; } }, clock: { monotonicMs: () => (t += 1) },
      identity: { board: 'xs-board', version, securityVersion }, trustedKeys: [fromHex(publicKey)], budget: { bytes: 16 * 1024 },
    });
    let wakes = 0;
    while (!restarted && wakes < 20) {
      wakes++;
      await make('1.0.0', 0).handleOffer({ manifest: fromHex(manifest), downloadPath: path }, { nowMs: 0, deadlineMs: 60_000, batteryVolts: 4 });
    }
    running = selectBootSlot(flash.area('otadata'), loadable).slot!;
    const fresh = make('1.1.0', 1);
    fresh.onBoot({ nowMs: 0 });
    const pending = fresh.isPendingVerify();
    fresh.recordHealth({ sensorsRead: true, brokerReached: true, checkInAnswered: true, nowMs: 1 });
    const slots = new FlashFirmwareSlots(flash, running);
    return { wakes, running, pending, state: slots.runningState(), outcome: fresh.pendingOutcome() ?? null, operations: flash.operations };
  },
  verifyManifest: (args) => {
    const { manifest, keys } = args as { manifest: string; keys: string[] };
    try {
      const { manifest: m } = verifySignedManifest(fromHex(manifest), keys.map(fromHex), crypto);
      return { ok: true, version: m.version, board: m.board, size: m.size, sha256: toHex(m.sha256) };
    } catch (error) {
      return { ok: false, code: (error as { code?: string }).code ?? 'ERR_XS' };
    }
  },
});
