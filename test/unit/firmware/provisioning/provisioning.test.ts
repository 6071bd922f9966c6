import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../../firmware/http/client.js';
import { decodeCheckIn, encodeCheckInAnswer, type CheckInRequest } from '../../../../firmware/messages/checkin.js';
import { decodeProvisionRequest, encodeProvisionAnswer, type ProvisionAnswer } from '../../../../firmware/messages/provision.js';
import { DeviceServerClient } from '../../../../firmware/provisioning/server-client.js';
import { ensureProvisioned, KV_CLAIM, KV_CREDENTIALS, loadCredentials } from '../../../../firmware/provisioning/provisioning.js';
import { UtcClock } from '../../../../firmware/time/utc-clock.js';
import { createManualClock, createSystemClock } from '../../../../hosts/node/clock.js';
import { createMemoryKv } from '../../../../hosts/node/kv.js';
import { createNodeSocketPort } from '../../../../hosts/node/socket.js';
import { createSystemTimer } from '../../../../hosts/node/timer.js';

const SERVER_TIME = Date.UTC(2026, 2, 3, 4, 5, 6);
const credentials: ProvisionAnswer = {
  deviceToken: 'dt-0123456789abcdef',
  mqtt: { username: 'node-7', password: 'secret-pw', brokers: [{ host: '127.0.0.1', port: 1883 }] },
  config: { version: 3 },
  serverTimeMs: SERVER_TIME,
};

// A small real server standing in for ota-server until end-to-end tests use the real one.
let port = 0;
let mode: 'ok' | 'used' | 'error' | 'garbage' = 'ok';
const seen: { path?: string; headers?: http.IncomingHttpHeaders; body?: Buffer }[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    seen.push({ path: req.url ?? '', headers: req.headers, body });
    const json = (req.headers['content-type'] ?? '').startsWith('application/json');
    const type = json ? 'application/json' : 'application/cbor';
    if (req.url === '/v1/provision') {
      if (mode === 'used') { res.writeHead(409, { 'Content-Type': 'application/json' }); res.end('{"error":"claim used"}'); return; }
      if (mode === 'error') { res.writeHead(503); res.end(); return; }
      if (mode === 'garbage') { res.writeHead(200, { 'Content-Type': 'application/cbor' }); res.end(Buffer.from([0xa1, 0x61, 0x78, 0x01])); return; }
      const request = decodeProvisionRequest(new Uint8Array(body), json ? 'json' : 'cbor');
      if (request.claimSecret !== 'claim-abcdef-123') { res.writeHead(403); res.end(); return; }
      res.writeHead(201, { 'Content-Type': type });
      res.end(Buffer.from(encodeProvisionAnswer(credentials, json ? 'json' : 'cbor')));
    } else if (/^\/v1\/devices\/[^/]+\/checkin$/.test(req.url ?? '')) {
      if (req.headers.authorization !== `Bearer ${credentials.deviceToken}`) { res.writeHead(401); res.end(); return; }
      decodeCheckIn(new Uint8Array(body), json ? 'json' : 'cbor');
      res.writeHead(200, { 'Content-Type': type });
      res.end(Buffer.from(encodeCheckInAnswer({ serverTimeMs: SERVER_TIME, update: { manifest: new Uint8Array([1, 2, 3]), downloadPath: '/v1/firmware/x' } }, json ? 'json' : 'cbor')));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)); });
beforeEach(() => { mode = 'ok'; seen.length = 0; });

const client = (format: 'cbor' | 'json' = 'cbor'): DeviceServerClient => new DeviceServerClient({
  http: new HttpClient({ socket: createNodeSocketPort(), timer: createSystemTimer() }),
  server: { host: '127.0.0.1', port, format },
  monotonicMs: createSystemClock().monotonicMs,
});
const code = async (p: Promise<unknown>): Promise<unknown> => p.then(() => 'no error', (e: { code?: string; details?: unknown }) => ({ code: e.code, details: e.details }));

describe('provisioning client against a real HTTP server', () => {
  it('first boot: exchanges the claim from kv, stores the credentials in one key, drops the claim, sets the clock', async () => {
    const kv = createMemoryKv();
    kv.set(KV_CLAIM, new TextEncoder().encode('claim-abcdef-123'));
    const clock = createManualClock({ utcMs: SERVER_TIME, wallMs: Date.UTC(2024, 5, 1) });
    const utc = new UtcClock(clock);
    const { credentials: got, fresh } = await ensureProvisioned({ kv, client: client(), deviceId: 'node-7', utc });
    expect(fresh).toBe(true);
    expect(got).toEqual(credentials);
    expect(loadCredentials(kv)).toEqual(credentials);
    expect(kv.get(KV_CLAIM)).toBeUndefined();
    expect(kv.keys().every((k) => k.length <= 15)).toBe(true);
    expect(utc.verified()).toBe(true);
    expect(Math.abs(clock.wallMs() - SERVER_TIME)).toBeLessThan(60_000);
    expect(seen[0]?.headers?.['content-type']).toBe('application/cbor');
    expect(decodeProvisionRequest(new Uint8Array(seen[0]!.body!))).toEqual({ deviceId: 'node-7', claimSecret: 'claim-abcdef-123' });
  });

  it('later boots use the stored credentials without asking', async () => {
    const kv = createMemoryKv();
    kv.set(KV_CLAIM, new TextEncoder().encode('claim-abcdef-123'));
    await ensureProvisioned({ kv, client: client(), deviceId: 'node-7' });
    const again = await ensureProvisioned({ kv, client: client(), deviceId: 'node-7' });
    expect(again.fresh).toBe(false);
    expect(seen.length).toBe(1);
  });

  it('JSON works the same', async () => {
    const kv = createMemoryKv();
    const { credentials: got } = await ensureProvisioned({ kv, client: client('json'), deviceId: 'node-7', claimSecret: 'claim-abcdef-123' });
    expect(got).toEqual(credentials);
    expect(JSON.parse(seen[0]!.body!.toString())).toEqual({ deviceId: 'node-7', claimSecret: 'claim-abcdef-123' });
  });

  it.each<[typeof mode, unknown]>([
    ['used', { code: 'ERR_PROVISION_REFUSED', details: { status: 409 } }],
    ['error', { code: 'ERR_HTTP_STATUS', details: { status: 503 } }],
    ['garbage', expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' })],
  ])('server answers %s: the error says so, nothing is stored, the claim is kept', async (m, expected) => {
    mode = m;
    const kv = createMemoryKv();
    kv.set(KV_CLAIM, new TextEncoder().encode('claim-abcdef-123'));
    expect(await code(ensureProvisioned({ kv, client: client(), deviceId: 'node-7' }))).toEqual(expected);
    expect(kv.get(KV_CREDENTIALS)).toBeUndefined();
    expect(kv.get(KV_CLAIM)).toBeDefined();
  });

  it('a wrong claim is refused (403)', async () => {
    const kv = createMemoryKv();
    expect(await code(ensureProvisioned({ kv, client: client(), deviceId: 'node-7', claimSecret: 'wrong-claim-999' }))).toEqual({ code: 'ERR_PROVISION_REFUSED', details: { status: 403 } });
  });

  it('no claim and no credentials is a configuration error', async () => {
    expect(await code(ensureProvisioned({ kv: createMemoryKv(), client: client(), deviceId: 'node-7' }))).toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    expect(seen.length).toBe(0);
  });

  it('corrupt stored credentials count as none', () => {
    const kv = createMemoryKv();
    kv.set(KV_CREDENTIALS, new Uint8Array([0xff]));
    expect(loadCredentials(kv)).toBeUndefined();
  });
});

describe('check-in client against a real HTTP server', () => {
  const request: CheckInRequest = {
    deviceId: 'node-7', firmwareVersion: '1.0.0', slot: 0, bootState: 'valid', batteryVolts: 3.9, configVersion: 3,
    outbox: { records: 0, bytes: 0, dropped: 0, thinned: 0 }, deviceTimeMs: SERVER_TIME,
  };
  it.each(['cbor', 'json'] as const)('posts the status with the token and decodes the answer (%s)', async (format) => {
    const { answer, sentMonoMs, receivedMonoMs } = await client(format).checkIn(credentials.deviceToken, request);
    expect(answer).toEqual({ serverTimeMs: SERVER_TIME, update: { manifest: new Uint8Array([1, 2, 3]), downloadPath: '/v1/firmware/x' } });
    expect(receivedMonoMs).toBeGreaterThanOrEqual(sentMonoMs);
    expect(seen[0]?.path).toBe('/v1/devices/node-7/checkin');
    expect(seen[0]?.headers?.accept).toBe(format === 'cbor' ? 'application/cbor' : 'application/json');
  });
  it('a bad token is ERR_HTTP_STATUS 401', async () => {
    expect(await code(client().checkIn('not-the-token', request))).toEqual({ code: 'ERR_HTTP_STATUS', details: { status: 401 } });
  });
});
