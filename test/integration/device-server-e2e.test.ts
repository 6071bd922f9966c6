/**
 * The device's HTTP side against the real OTA server (ota-server, SQLite, real HTTP): first-boot
 * provisioning through the firmware's own HTTP client, a used claim refused, the UplinkStep's
 * check-in setting the clock and bringing the config, and a resumable firmware download with
 * Range (206, 416 at the end, If-Range) as the OTA updater will do it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../firmware/http/client.js';
import { requestRange } from '../../firmware/http/range.js';
import { validateNodeConfig } from '../../firmware/node/config.js';
import { DeviceServerClient } from '../../firmware/provisioning/server-client.js';
import { ensureProvisioned, KV_CLAIM, loadCredentials } from '../../firmware/provisioning/provisioning.js';
import { UtcClock } from '../../firmware/time/utc-clock.js';
import { createUplink } from '../../firmware/uplink/create.js';
import type { DeviceStatus } from '../../firmware/index.js';
import { createManualClock, createMemoryKv, createMemoryLog, createSeededRandom, createSystemTimer } from '../../hosts/node/index.js';
import { createMemoryOutboxStore } from '../../hosts/node/outbox-store-memory.js';
import { createNodeSocketPort } from '../../hosts/node/socket.js';
import { configDocument, image, manifestFor, publishFirmware, signingKey, trustKey } from '../server/helpers/fixtures.js';
import { startHarness, type Harness } from '../server/helpers/harness.js';

let h: Harness;
let port = 0;
beforeAll(async () => {
  h = await startHarness('sqlite', { mqtt: { brokers: [{ host: '127.0.0.1', port: 1883 }], topicPrefix: 'e2e' } });
  port = Number(new URL(h.url).port);
});
afterAll(async () => { await h.close(); });

const http = (): HttpClient => new HttpClient({ socket: createNodeSocketPort(), timer: createSystemTimer() });
const server = (format: 'cbor' | 'json' = 'cbor', clock = createManualClock()): DeviceServerClient =>
  new DeviceServerClient({ http: http(), server: { host: '127.0.0.1', port, format }, monotonicMs: () => clock.monotonicMs() });

async function register(id: string, tags: string[] = []): Promise<string> {
  const r = await h.request('POST', '/v1/devices', { token: h.adminToken, json: { id, board: 'esp32-c3', tags } });
  expect(r.status).toBe(201);
  return r.json().claimSecret as string;
}

describe('device against the real OTA server', () => {
  it('provisions on first boot, keeps the credentials, sets the clock; the claim cannot be used again', async () => {
    const claim = await register('e2e-1');
    const kv = createMemoryKv();
    kv.set(KV_CLAIM, new TextEncoder().encode(claim));
    const clock = createManualClock({ utcMs: h.clock.now, wallMs: h.clock.now - 3_600_000 });
    const utc = new UtcClock(clock);
    const { credentials, fresh } = await ensureProvisioned({ kv, client: server('cbor', clock), deviceId: 'e2e-1', utc });
    expect(fresh).toBe(true);
    expect(credentials.deviceToken).toMatch(/^ota_dev_/);
    expect(credentials.mqtt).toMatchObject({ username: 'e2e-1', brokers: [{ host: '127.0.0.1', port: 1883 }], topicPrefix: 'e2e' });
    expect(loadCredentials(kv)).toEqual(credentials);
    expect(kv.get(KV_CLAIM)).toBeUndefined();
    expect(clock.wallMs()).toBe(h.clock.now);
    expect(utc.verified()).toBe(true);

    const again = createMemoryKv();
    await expect(ensureProvisioned({ kv: again, client: server('json'), deviceId: 'e2e-1', claimSecret: claim }))
      .rejects.toMatchObject({ code: 'ERR_PROVISION_REFUSED', details: { status: 403 } });
  });

  it('the UplinkStep checks in: the clock is set from the server and a newer config arrives', async () => {
    const claim = await register('e2e-2', ['cfg-e2e']);
    const put = await h.request('PUT', '/v1/config/tag/cfg-e2e', { token: h.adminToken, json: configDocument(7_200_000) });
    expect(put.status).toBe(200);
    const kv = createMemoryKv();
    const { credentials } = await ensureProvisioned({ kv, client: server(), deviceId: 'e2e-2', claimSecret: claim });
    h.clock.now += 60_000;
    const clock = createManualClock({ utcMs: h.clock.now, wallMs: h.clock.now + 42_000 }); // RTC 42 s fast
    const { uplink, utc } = createUplink({
      ports: { socket: createNodeSocketPort(), timer: createSystemTimer(), clock, random: createSeededRandom(3), outboxStore: createMemoryOutboxStore(), log: createMemoryLog() },
      deviceId: 'e2e-2', firmwareVersion: '1.0.0', topicPrefix: 'nodes', credentials,
      server: { host: '127.0.0.1', port },
    });
    const status: DeviceStatus = { firmwareVersion: '1.0.0', slot: 0, bootState: 'valid', batteryVolts: 3.9, configVersion: 0, outbox: { records: 0, bytes: 0, dropped: 0, thinned: 0 } };
    const outcome = await uplink.openWindow({ nowMs: clock.wallMs(), deadlineMs: clock.wallMs() + 30_000, reasons: ['check-in'], status, checkIn: true });
    expect(outcome.brokerReached).toBe(false); // nothing queued: no MQTT connection
    expect(outcome.checkIn?.serverTimeMs).toBe(h.clock.now);
    expect(clock.wallMs()).toBe(h.clock.now);
    expect(utc.verified()).toBe(true);
    const config = validateNodeConfig(outcome.checkIn?.config);
    expect(config).toMatchObject({ deviceId: 'e2e-2', checkInPeriodMs: 7_200_000, version: put.json().version });
    const device = (await h.request('GET', '/v1/devices/e2e-2', { token: h.adminToken })).json();
    expect(device.lastSeenAtMs ?? device.device?.lastSeenAtMs).toBe(h.clock.now);
  });

  it('downloads a firmware image with Range as a resume would: 206 from an offset, 416 at the end, full 200 when If-Range fails', async () => {
    const key = signingKey(41);
    await trustKey(h, key);
    const img = image(50_000, 41);
    const sha = await publishFirmware(h, img, manifestFor(img, key, { version: '4.1.0' }));
    const request = { host: '127.0.0.1', port, path: `/v1/firmware/${sha}/image`, headers: { Authorization: `Bearer ${h.adminToken}` } };
    const etag = `"${sha}"`;

    const first = await requestRange(http(), request, { first: 0, last: 19_999 }, { knownLength: img.length });
    expect(first.outcome).toEqual({ kind: 'partial', first: 0, last: 19_999, complete: img.length });
    expect(first.response.headers.get('etag')).toBe(etag);
    const head = await first.response.bytes(20_000);
    const rest = await requestRange(http(), request, { first: 20_000 }, { etag, knownLength: img.length });
    expect(rest.outcome).toEqual({ kind: 'partial', first: 20_000, last: img.length - 1, complete: img.length });
    const tail = await rest.response.bytes(img.length);
    expect(Buffer.concat([head, tail]).equals(Buffer.from(img))).toBe(true);

    const end = await requestRange(http(), request, { first: img.length }, { etag, knownLength: img.length });
    expect(end.outcome).toEqual({ kind: 'complete', length: img.length });

    const changed = await requestRange(http(), request, { first: 20_000 }, { etag: '"not-this-image"' });
    expect(changed.outcome).toEqual({ kind: 'full', length: img.length });
    expect((await changed.response.bytes(img.length)).length).toBe(img.length);
  });
});
