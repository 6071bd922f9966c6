import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_NAMES } from './helpers/db.js';
import { image, manifestFor, provisionedDevice, publishFirmware, sha256Hex, signingKey, trustKey, checkIn } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

describe.each(TARGET_NAMES)('firmware store (%s)', (target) => {
  let h: Harness;
  const key = signingKey(1);
  const img = image(10_000, 1);
  const sha = sha256Hex(img);
  beforeAll(async () => {
    h = await startHarness(target);
    await trustKey(h, key);
  });
  afterAll(async () => { await h.close(); });

  it('refuses a manifest no trusted key verifies, a malformed one, and a weak key', async () => {
    const before = await h.store.dump();
    const other = await h.request('POST', '/v1/firmware', { token: h.adminToken, json: { manifest: b64(manifestFor(img, signingKey(2))) } });
    expect([other.status, other.json().code]).toEqual([422, 'ERR_MANIFEST_UNTRUSTED']);
    const tampered = manifestFor(img, key);
    tampered[tampered.length - 1]! ^= 1;
    expect((await h.request('POST', '/v1/firmware', { token: h.adminToken, json: { manifest: b64(tampered) } })).json().code).toBe('ERR_MANIFEST_UNTRUSTED');
    const junk = await h.request('POST', '/v1/firmware', { token: h.adminToken, json: { manifest: b64(new Uint8Array([1, 2, 3, 4, 5])) } });
    expect([junk.status, junk.json().code]).toEqual([400, 'ERR_OTA_MANIFEST_MALFORMED']);
    const weak = await h.request('POST', '/v1/keys', { token: h.adminToken, json: { name: 'weak', publicKey: '01' + '00'.repeat(31) } });
    expect([weak.status, weak.json().code]).toEqual([400, 'ERR_KEY_INVALID']);
    const again = await h.request('POST', '/v1/keys', { token: h.adminToken, json: { name: 'again', publicKey: key.publicKeyHex } });
    expect([again.status, again.json().code]).toEqual([409, 'ERR_KEY_EXISTS']);
    expect(await h.store.dump()).toEqual(before);
  });

  it('registers a verified manifest, then takes only the matching image, stored under its SHA-256', async () => {
    const manifest = manifestFor(img, key);
    const m = await h.request('POST', '/v1/firmware', { token: h.adminToken, json: { manifest: b64(manifest) } });
    expect(m.status).toBe(201);
    expect(m.json()).toMatchObject({
      firmware: { sha256: sha, version: '1.1.0', board: 'esp32-c3', size: 10_000, keyId: Buffer.from(key.kid).toString('hex'), imageStoredAtMs: null },
      uploadPath: `/v1/firmware/${sha}/image`, warnings: [],
    });
    expect((await h.request('POST', '/v1/firmware', { token: h.adminToken, json: { manifest: b64(manifest) } })).json().code).toBe('ERR_FIRMWARE_EXISTS');
    const wrong = image(10_000, 2);
    const bad = await h.request('PUT', `/v1/firmware/${sha}/image`, { token: h.adminToken, body: wrong, contentType: 'application/octet-stream' });
    expect([bad.status, bad.json().code]).toEqual([422, 'ERR_IMAGE_MISMATCH']);
    const short = await h.request('PUT', `/v1/firmware/${sha}/image`, { token: h.adminToken, body: img.slice(0, 9_999), contentType: 'application/octet-stream' });
    expect(short.json().code).toBe('ERR_IMAGE_MISMATCH');
    expect(readdirSync(join(h.target.dataDir, 'firmware'))).toEqual([]);
    expect((await h.request('GET', `/v1/firmware/${sha}/image`, { token: h.adminToken })).json().code).toBe('ERR_IMAGE_MISSING');
    const ok = await h.request('PUT', `/v1/firmware/${sha}/image`, { token: h.adminToken, body: img, contentType: 'application/octet-stream' });
    expect(ok.status).toBe(200);
    expect(ok.json().imageStoredAtMs).toBe(h.clock.now);
    expect(readFileSync(join(h.target.dataDir, 'firmware', sha))).toEqual(Buffer.from(img));
  });

  it('warns when the signed path is not where this server serves the image', async () => {
    const img2 = image(500, 3);
    const m = await h.request('POST', '/v1/firmware', { token: h.adminToken, json: { manifest: b64(manifestFor(img2, key, { path: '/fw/x.bin', version: '1.2.0' })) } });
    expect(m.json().warnings[0]).toContain('/fw/x.bin');
  });

  describe('downloads (RFC 9110 ranges and validators)', () => {
    const get = (headers: Record<string, string> = {}, method = 'GET') => h.request(method, `/v1/firmware/${sha}/image`, { token: h.adminToken, headers });
    const etag = `"${sha}"`;

    it('serves the whole image with a strong ETag and Accept-Ranges', async () => {
      const a = await get();
      expect(a.status).toBe(200);
      expect(a.headers.get('etag')).toBe(etag);
      expect(a.headers.get('accept-ranges')).toBe('bytes');
      expect(a.headers.get('content-length')).toBe('10000');
      expect(Buffer.from(a.bytes).equals(Buffer.from(img))).toBe(true);
    });

    it.each([
      ['bytes=0-99', 0, 99],
      ['bytes=9900-', 9900, 9999],
      ['bytes=-10', 9990, 9999],
      ['bytes=9990-20000', 9990, 9999],
      ['bytes=-20000', 0, 9999],
      ['bytes=5000-5000', 5000, 5000],
    ])('Range %s -> 206 with Content-Range', async (range, first, last) => {
      const a = await get({ range });
      expect(a.status).toBe(206);
      expect(a.headers.get('content-range')).toBe(`bytes ${first}-${last}/10000`);
      expect(a.headers.get('content-length')).toBe(String(last - first + 1));
      expect(Buffer.from(a.bytes).equals(Buffer.from(img.subarray(first, last + 1)))).toBe(true);
    });

    it.each(['bytes=10000-', 'bytes=20000-30000', 'bytes=-0'])('unsatisfiable %s -> 416 with bytes */size', async (range) => {
      const a = await get({ range });
      expect(a.status).toBe(416);
      expect(a.headers.get('content-range')).toBe('bytes */10000');
      expect(a.json().code).toBe('ERR_RANGE_NOT_SATISFIABLE');
    });

    it.each(['bytes=5-1', 'items=0-1', 'bytes=0-1,5-6', 'bytes=x-', 'bytes=-'])('ignores an unusable Range %s (200, whole image)', async (range) => {
      const a = await get({ range });
      expect(a.status).toBe(200);
      expect(a.bytes.length).toBe(10_000);
    });

    it('If-Range with the current ETag keeps the range; another, weak or stale one gets the whole image', async () => {
      expect((await get({ range: 'bytes=100-199', 'if-range': etag })).status).toBe(206);
      expect((await get({ range: 'bytes=100-199', 'if-range': `"${'0'.repeat(64)}"` })).status).toBe(200);
      expect((await get({ range: 'bytes=100-199', 'if-range': `W/${etag}` })).status).toBe(200);
      const lastModified = (await get()).headers.get('last-modified')!;
      expect((await get({ range: 'bytes=100-199', 'if-range': lastModified })).status).toBe(206);
      expect((await get({ range: 'bytes=100-199', 'if-range': new Date(Date.parse(lastModified) - 60_000).toUTCString() })).status).toBe(200);
    });

    it('If-None-Match: 304 for the current tag (weak comparison, lists, *), 200 otherwise; before Range', async () => {
      for (const value of [etag, `W/${etag}`, `"x", ${etag}`, '*']) {
        const a = await get({ 'if-none-match': value, range: 'bytes=0-9' });
        expect(a.status, value).toBe(304);
        expect(a.bytes.length).toBe(0);
        expect(a.headers.get('etag')).toBe(etag);
      }
      expect((await get({ 'if-none-match': '"other"' })).status).toBe(200);
    });

    it('HEAD gives the headers without a body and ignores Range', async () => {
      const a = await get({ range: 'bytes=0-9' }, 'HEAD');
      expect(a.status).toBe(200);
      expect(a.headers.get('content-length')).toBe('10000');
      expect(a.bytes.length).toBe(0);
    });
  });

  it('lets a device download only firmware it was offered, and marks it downloading', async () => {
    const token = await provisionedDevice(h, 'fw-dev', 'esp32-c3');
    expect((await h.request('GET', `/v1/firmware/${sha}/image`, { token })).status).toBe(403);
    const r = await h.request('POST', '/v1/rollouts', { token: h.adminToken, json: { firmwareSha256: sha, stages: [100], failureThreshold: 0.5, minSample: 1 } });
    expect(r.status).toBe(201);
    expect((await checkIn(h, token, 'fw-dev')).json().update.downloadPath).toBe(`/v1/firmware/${sha}/image`);
    const part = await h.request('GET', `/v1/firmware/${sha}/image`, { token, headers: { range: 'bytes=0-1023' } });
    expect(part.status).toBe(206);
    expect((await h.request('GET', `/v1/rollouts/${r.json().id}/devices`, { token: h.adminToken })).json().devices).toMatchObject([{ deviceId: 'fw-dev', state: 'downloading' }]);
  });

  it('refuses to delete an image a live rollout uses; deletes it (file too) once the rollout is over', async () => {
    const live = (await h.request('GET', '/v1/rollouts?state=active', { token: h.adminToken })).json().rollouts;
    const del = await h.request('DELETE', `/v1/firmware/${sha}`, { token: h.adminToken });
    expect([del.status, del.json().code]).toEqual([409, 'ERR_FIRMWARE_IN_USE']);
    expect((await h.request('POST', `/v1/rollouts/${live[0].id}/abort`, { token: h.adminToken, json: {} })).status).toBe(200);
    expect((await h.request('DELETE', `/v1/firmware/${sha}`, { token: h.adminToken })).status).toBe(204);
    expect(existsSync(join(h.target.dataDir, 'firmware', sha))).toBe(false);
    expect((await h.request('GET', `/v1/firmware/${sha}`, { token: h.adminToken })).status).toBe(404);
    // Content addressing: the same image can be published again.
    expect(await publishFirmware(h, img, manifestFor(img, key))).toBe(sha);
  });
});
