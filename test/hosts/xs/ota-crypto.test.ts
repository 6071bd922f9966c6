import '@endo/init';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signManifest } from '../../../firmware/index.js';
import { keyId } from '../../../firmware/ota/cose.js';
import { createNodeCrypto, ed25519PublicKey, ed25519Sign } from '../../../hosts/node/crypto.js';
import { startXsWorker, type XsWorker } from '../../../hosts/xs/index.js';
import { RFC8032 } from '../../contract/crypto.js';

// Signature verification and streamed SHA-256 of the firmware core, run inside a real XS engine.
const entry = fileURLToPath(new URL('../../../tools/ota/xs/ota-entry.ts', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const patternByte = (i: number): number => (i * 31 + (i >> 8)) & 0xff;

describe('OTA crypto inside xsnap (@noble on XS)', () => {
  let worker: XsWorker;
  beforeAll(async () => {
    worker = await startXsWorker({ name: 'ota-crypto', entry, meteringLimit: 0 });
  });
  afterAll(async () => { await worker?.close(); });

  it('verifies RFC 8032 TEST 1 and TEST 2, and refuses damaged signatures', async () => {
    for (const t of [RFC8032.test1, RFC8032.test2]) {
      const args = { signature: hex(t.signature), message: hex(t.message), publicKey: hex(t.publicKey) };
      const { reply, meter } = await worker.call('verify', args);
      expect(reply).toBe(true);
      expect(meter.computrons).toBeGreaterThan(1_000_000);
      const bad = t.signature.slice();
      bad[40]! ^= 4;
      expect((await worker.call('verify', { ...args, signature: hex(bad) })).reply).toBe(false);
      expect((await worker.call('verify', { ...args, message: hex(t.message) + '00' })).reply).toBe(false);
    }
  });

  it('agrees with node:crypto on random signatures', async () => {
    const node = createNodeCrypto();
    for (let i = 0; i < 3; i++) {
      const seed = new Uint8Array(createHash('sha256').update(`seed ${i}`).digest());
      const message = new Uint8Array(createHash('sha512').update(`msg ${i}`).digest()).subarray(0, 10 + i * 20);
      const signature = ed25519Sign(message, seed);
      const publicKey = ed25519PublicKey(seed);
      const { reply } = await worker.call('verify', { signature: hex(signature), message: hex(message), publicKey: hex(publicKey) });
      expect(reply).toBe(node.verifyEd25519(signature, message, publicKey));
      expect(reply).toBe(true);
    }
  });

  it('hashes like node:crypto, one-shot and streamed in odd chunks', async () => {
    expect((await worker.call('sha256Hex', { hex: hex(new TextEncoder().encode('abc')) })).reply)
      .toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const [length, chunk] of [[0, 64], [1, 1], [65_537, 1000], [20_000, 4096]] as const) {
      const data = Uint8Array.from({ length }, (_, i) => patternByte(i));
      const { reply } = await worker.call('sha256Pattern', { length, chunk });
      expect(reply).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('verifies a signed manifest end to end (COSE_Sign1, CBOR, kid) and refuses a wrong key', async () => {
    const crypto = createNodeCrypto();
    const seed = RFC8032.test1.secretKey;
    const pub = ed25519PublicKey(seed);
    const manifest = signManifest({
      version: '2.0.0', securityVersion: 3, board: 'esp32s3', size: 1000, sha256: new Uint8Array(32).fill(7), path: '/fw/2.0.0',
    }, (tbs) => ed25519Sign(tbs, seed), { kid: keyId(pub, crypto) });
    const good = await worker.call('verifyManifest', { manifest: hex(manifest), keys: [hex(pub)] });
    expect(good.reply).toEqual({ ok: true, version: '2.0.0', board: 'esp32s3', size: 1000, sha256: '07'.repeat(32) });
    const wrong = await worker.call('verifyManifest', { manifest: hex(manifest), keys: [hex(RFC8032.test2.publicKey)] });
    expect(wrong.reply).toEqual({ ok: false, code: 'ERR_OTA_MANIFEST_SIGNATURE' });
    const tampered = manifest.slice();
    tampered[20]! ^= 1;
    const bad = await worker.call('verifyManifest', { manifest: hex(tampered), keys: [hex(pub)] });
    expect((bad.reply as { ok: boolean }).ok).toBe(false);
  });

  it('runs a whole update inside XS: resumable download, read-back hash, activation, pending boot, commit', async () => {
    const seed = RFC8032.test1.secretKey;
    const pub = ed25519PublicKey(seed);
    const length = 40_000;
    const image = Uint8Array.from({ length }, (_, i) => patternByte(i));
    image[0] = 0xe9;
    const path = '/v1/firmware/xs/image';
    const manifest = signManifest({
      version: '1.1.0', securityVersion: 1, board: 'xs-board', size: length,
      sha256: new Uint8Array(createHash('sha256').update(image).digest()), path,
    }, (tbs) => ed25519Sign(tbs, seed), { kid: keyId(pub, createNodeCrypto()) });
    const { reply, meter } = await worker.call('update', { manifest: hex(manifest), publicKey: hex(pub), length, path });
    expect(reply).toEqual({
      wakes: 3, running: 1, pending: true, state: 'valid', outcome: { kind: 'succeeded', version: '1.1.0' },
      operations: expect.any(Number),
    });
    expect(meter.computrons).toBeGreaterThan(10_000_000);
  });
});
