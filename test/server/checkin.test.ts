import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckInAnswer, encodeCheckIn } from '../../firmware/messages/checkin.js';
import { encode } from '../../firmware/codec/cbor.js';
import { TARGET_NAMES } from './helpers/db.js';
import { checkIn, checkInBody, configDocument, provisionedDevice } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

describe.each(TARGET_NAMES)('check-in (%s)', (target) => {
  let h: Harness;
  let token: string;
  const logs: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    const stream = new Writable({ write(chunk, _e, done) { logs.push(JSON.parse(String(chunk))); done(); } });
    h = await startHarness(target, { logger: { level: 'info', stream } });
    token = await provisionedDevice(h, 'ci-1', 'esp32-c3', ['roof']);
  });
  afterAll(async () => { await h.close(); });

  it('answers CBOR with the server time and keeps last-seen and status', async () => {
    h.clock.now += 5_000;
    const a = await checkIn(h, token, 'ci-1', { batteryVolts: 3.61, outbox: { records: 4, bytes: 200, dropped: 1, thinned: 2 } }, 'cbor');
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/cbor');
    expect(decodeCheckInAnswer(a.bytes, 'cbor')).toEqual({ serverTimeMs: h.clock.now });
    const device = (await h.request('GET', '/v1/devices/ci-1', { token: h.adminToken })).json();
    expect(device).toMatchObject({ lastSeenAtMs: h.clock.now, status: { batteryVolts: 3.61, firmwareVersion: '1.0.0', outbox: { records: 4, bytes: 200, dropped: 1, thinned: 2 } } });
  });

  it('answers JSON to JSON, and in the format Accept names', async () => {
    const json = await checkIn(h, token, 'ci-1');
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.json()).toEqual({ serverTimeMs: h.clock.now });
    const asked = await h.request('POST', '/v1/devices/ci-1/checkin', { token, json: checkInBody('ci-1'), headers: { accept: 'application/cbor' } });
    expect(decodeCheckInAnswer(asked.bytes, 'cbor').serverTimeMs).toBe(h.clock.now);
  });

  it('delivers config when the version differs: device beats tag beats fleet', async () => {
    const fleet = (await h.request('PUT', '/v1/config/fleet', { token: h.adminToken, json: configDocument(3_600_000) })).json();
    let a = (await checkIn(h, token, 'ci-1')).json();
    expect(a.config).toMatchObject({ deviceId: 'ci-1', version: fleet.version, checkInPeriodMs: 3_600_000 });
    expect((await checkIn(h, token, 'ci-1', { configVersion: fleet.version })).json().config).toBeUndefined();
    const tag = (await h.request('PUT', '/v1/config/tag/roof', { token: h.adminToken, json: configDocument(1_800_000) })).json();
    a = (await checkIn(h, token, 'ci-1', { configVersion: fleet.version })).json();
    expect(a.config).toMatchObject({ version: tag.version, checkInPeriodMs: 1_800_000 });
    const own = (await h.request('PUT', '/v1/config/device/ci-1', { token: h.adminToken, json: configDocument(900_000) })).json();
    expect((await checkIn(h, token, 'ci-1', { configVersion: tag.version })).json().config).toMatchObject({ version: own.version, checkInPeriodMs: 900_000 });
    // Deleting the device's own document falls back to the tag's: a different version again.
    expect((await h.request('DELETE', '/v1/config/device/ci-1', { token: h.adminToken })).status).toBe(204);
    expect((await checkIn(h, token, 'ci-1', { configVersion: own.version })).json().config.version).toBe(tag.version);
    expect((await h.request('GET', '/v1/devices/ci-1/config', { token })).json()).toMatchObject({ scope: 'tag:roof', version: tag.version });
  });

  it('refuses malformed check-ins with a reason, counts and logs them, and changes nothing', async () => {
    const path = '/v1/devices/ci-1/checkin';
    const cases: Array<[string, Uint8Array | string, number, string]> = [
      ['application/json', JSON.stringify({ ...checkInBody('ci-1'), extra: 1 }), 400, 'ERR_MESSAGE_INVALID'],
      ['application/json', JSON.stringify({ ...checkInBody('ci-1'), slot: 2 }), 400, 'ERR_MESSAGE_INVALID'],
      ['application/json', JSON.stringify({ ...checkInBody('ci-1'), batteryVolts: '3.7' }), 400, 'ERR_MESSAGE_INVALID'],
      ['application/json', '{"deviceId":', 400, 'ERR_MESSAGE_INVALID'],
      ['application/cbor', new Uint8Array([0xbf, 0x61, 0x61]), 400, 'ERR_CBOR_TRUNCATED'],
      ['application/cbor', encode({ ...checkInBody('ci-1'), outbox: [] }), 400, 'ERR_MESSAGE_INVALID'],
      ['application/cbor', new Uint8Array([...encodeCheckIn(checkInBody('ci-1')), 0x00]), 400, 'ERR_CBOR_TRAILING'],
      ['application/json', JSON.stringify(checkInBody('someone-else')), 400, 'ERR_DEVICE_MISMATCH'],
      ['application/json', JSON.stringify({ ...checkInBody('ci-1'), pad: 'x'.repeat(2000) }), 413, 'ERR_BODY_TOO_LARGE'],
      ['text/plain', 'hello', 415, 'ERR_MEDIA_TYPE'],
    ];
    const before = await h.store.dump();
    h.clock.now += 60_000;
    for (const [type, body, status, code] of cases) {
      const a = await h.request('POST', path, { token, body, contentType: type });
      expect([a.status, a.json().code], `${type} ${String(body).slice(0, 40)}`).toEqual([status, code]);
      expect(a.json().message.length).toBeGreaterThan(10);
    }
    expect(await h.store.dump()).toEqual(before);
    const metrics = (await h.request('GET', '/metrics', { token: h.adminToken })).text();
    expect(metrics).toMatch(/ota_malformed_requests_total\{route="\/v1\/devices\/:id\/checkin",reason="ERR_MESSAGE_INVALID"\} 5/);
    expect(metrics).toMatch(/ota_malformed_requests_total\{route="\/v1\/devices\/:id\/checkin",reason="ERR_CBOR_TRUNCATED"\} 1/);
    const warned = logs.filter((l) => l.msg === 'malformed request refused' && l.route === '/v1/devices/:id/checkin');
    expect(warned.map((l) => l.reason)).toContain('ERR_CBOR_TRAILING');
  });

  it('refuses another device\'s path (403) and unknown or missing tokens (401)', async () => {
    await provisionedDevice(h, 'ci-2');
    expect((await checkIn(h, token, 'ci-2')).status).toBe(403);
    expect((await checkIn(h, 'ota_dev_nope', 'ci-1')).status).toBe(401);
    expect((await h.request('POST', '/v1/devices/ci-1/checkin', { json: checkInBody('ci-1') })).status).toBe(401);
    expect((await h.request('POST', '/v1/devices/ci-1/checkin', { json: checkInBody('ci-1'), headers: { authorization: 'Basic eDp5' } })).json().code).toBe('ERR_AUTH_INVALID');
  });

  it('counts check-ins', async () => {
    const metrics = (await h.request('GET', '/metrics', { token: h.adminToken })).text();
    expect(metrics).toMatch(/ota_checkins_total\{result="ok"\} [1-9]/);
    expect(metrics).toMatch(/ota_http_request_duration_seconds_count\{method="POST",route="\/v1\/devices\/:id\/checkin",status_code="200"\} [1-9]/);
  });
});

describe('check-in status written behind (statusFlushMs)', () => {
  it('batches last-seen writes and flushes them on close', async () => {
    const h = await startHarness('sqlite', { statusFlushMs: 60_000 });
    try {
      const token = await provisionedDevice(h, 'wb-1');
      h.clock.now += 1000;
      expect((await checkIn(h, token, 'wb-1', { batteryVolts: 3.3 })).status).toBe(200);
      expect((await h.store.getDevice('wb-1'))?.lastSeenAtMs).toBeNull();
      await h.restart();
      expect(await h.store.getDevice('wb-1')).toMatchObject({ lastSeenAtMs: h.clock.now, status: { batteryVolts: 3.3 } });
    } finally {
      await h.close();
    }
  });
});
