import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNobleCrypto, signManifest } from '../../firmware/index.js';
import { HttpClient } from '../../firmware/http/client.js';
import { selectBootSlot } from '../../firmware/ota/boot.js';
import { keyId } from '../../firmware/ota/cose.js';
import { createHttpFirmwareSource } from '../../firmware/ota/http-source.js';
import { Updater } from '../../firmware/ota/updater.js';
import { ed25519PublicKey, ed25519Sign } from '../../hosts/node/crypto.js';
import { FlashFirmwareSlots } from '../../hosts/node/firmware-slots.js';
import { FlashKv } from '../../hosts/node/flash-kv.js';
import { createOtaFlash } from '../../hosts/node/flash.js';
import { createNodeSocketPort } from '../../hosts/node/socket.js';
import { createSystemTimer } from '../../hosts/node/timer.js';

// The updater downloading through the firmware HTTP client from a real node:http server that
// honours Range and If-Range (RFC 9110 14.2, 13.1.5), resuming across "wakes".
const IMAGE = Uint8Array.from({ length: 50_000 }, (_, i) => (i * 31 + (i >> 7)) & 0xff);
IMAGE[0] = 0xe9;
let etag = '"img-1"';
const log: Array<{ range?: string; ifRange?: string; status: number }> = [];

const server = http.createServer((req, res) => {
  const auth = req.headers.authorization;
  if (req.url !== '/v1/firmware/x/image' || auth !== 'Bearer device-token') {
    res.writeHead(auth === 'Bearer device-token' ? 404 : 401).end();
    log.push({ status: res.statusCode });
    return;
  }
  const range = req.headers.range;
  const ifRange = req.headers['if-range'];
  const m = typeof range === 'string' ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
  const rangeOk = m !== null && (ifRange === undefined || ifRange === etag);
  if (rangeOk) {
    const first = Number(m[1]);
    if (first >= IMAGE.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${IMAGE.length}` }).end();
    } else {
      const last = m[2] === '' ? IMAGE.length - 1 : Math.min(Number(m[2]), IMAGE.length - 1);
      res.writeHead(206, { ETag: etag, 'Content-Range': `bytes ${first}-${last}/${IMAGE.length}`, 'Content-Length': last - first + 1 });
      res.end(IMAGE.subarray(first, last + 1));
    }
  } else {
    res.writeHead(200, { ETag: etag, 'Content-Length': IMAGE.length, 'Accept-Ranges': 'bytes' });
    res.end(IMAGE);
  }
  log.push({ ...(range === undefined ? {} : { range }), ...(typeof ifRange === 'string' ? { ifRange } : {}), status: res.statusCode });
});

let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

class Restarted extends Error {}
const seed = new Uint8Array(32).fill(3);
const pub = ed25519PublicKey(seed);

function device() {
  const flash = createOtaFlash({ slotSize: 64 * 1024, kvSectors: 2 });
  flash.area('ota_0').write(0, Uint8Array.of(0xe9, 0, 0, 0));
  const running = selectBootSlot(flash.area('otadata'), (s) => flash.area(s === 0 ? 'ota_0' : 'ota_1').read(0, 1)[0] === 0xe9).slot!;
  const client = new HttpClient({ socket: createNodeSocketPort(), timer: createSystemTimer() });
  const source = createHttpFirmwareSource({ client, host: '127.0.0.1', port, headers: { Authorization: 'Bearer device-token' } });
  let t = 0;
  const make = () => new Updater({
    slots: new FlashFirmwareSlots(flash, running), kv: new FlashKv(flash.area('nvs')), crypto: createNobleCrypto(), source,
    power: { restart: () => { throw new Restarted(); } }, clock: { monotonicMs: () => (t += 1) },
    identity: { board: 'b', version: '1.0.0', securityVersion: 0 }, trustedKeys: [pub], budget: { bytes: 16 * 1024 },
  });
  return { flash, make };
}

const manifest = () => signManifest({
  version: '1.1.0', securityVersion: 0, board: 'b', size: IMAGE.length,
  sha256: new Uint8Array(createHash('sha256').update(IMAGE).digest()), path: '/v1/firmware/x/image',
}, (tbs) => ed25519Sign(tbs, seed), { kid: keyId(pub, createNobleCrypto()) });
const ctx = { nowMs: 0, deadlineMs: 60_000, batteryVolts: 4 };

describe('OTA download over HTTP (firmware client, node:http server)', () => {
  it('resumes with Range and If-Range across wakes, then activates', async () => {
    log.length = 0;
    const d = device();
    const offer = { manifest: manifest(), downloadPath: '/v1/firmware/x/image' };
    let wakes = 0;
    for (; wakes < 10; wakes++) {
      try {
        await d.make().handleOffer(offer, ctx);
      } catch (error) {
        if (error instanceof Restarted) break;
        throw error;
      }
    }
    expect(wakes + 1).toBe(4); // 16 KiB per wake: 3 pauses, the 4th completes
    expect(log.map((l) => l.status)).toEqual([206, 206, 206, 206]);
    expect(log.map((l) => l.range)).toEqual(['bytes=0-', 'bytes=16384-', 'bytes=32768-', 'bytes=49152-']);
    expect(log.slice(1).every((l) => l.ifRange === etag)).toBe(true);
    expect(d.flash.peek('ota_1', 0, IMAGE.length)).toEqual(IMAGE);
  });

  it('restarts from byte 0 when the image changed on the server (If-Range mismatch -> 200)', async () => {
    log.length = 0;
    const d = device();
    const offer = { manifest: manifest(), downloadPath: '/v1/firmware/x/image' };
    await d.make().handleOffer(offer, ctx);
    etag = '"img-2"';
    await expect(d.make().handleOffer(offer, ctx)).rejects.toThrow(Restarted);
    expect(log.map((l) => l.status)).toEqual([206, 200]);
    expect(d.flash.peek('ota_1', 0, IMAGE.length)).toEqual(IMAGE);
  });

  it('refuses a missing image (404) with ERR_OTA_DOWNLOAD', async () => {
    const d = device();
    const u = d.make();
    await u.handleOffer({ manifest: manifest(), downloadPath: '/v1/firmware/missing/image' }, ctx);
    expect(u.pendingOutcome()).toEqual({ kind: 'failed', version: '1.1.0', reason: 'ERR_OTA_DOWNLOAD' });
  });
});
