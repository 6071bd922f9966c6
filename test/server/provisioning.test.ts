import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProvisionAnswer, encodeProvisionRequest } from '../../firmware/messages/provision.js';
import { TARGET_NAMES } from './helpers/db.js';
import { startHarness, type Harness } from './helpers/harness.js';

describe.each(TARGET_NAMES)('provisioning (%s)', (target) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(target, { mqtt: { brokers: [{ host: 'mqtt.example', port: 8883, tls: true }], topicPrefix: 'acme' } }); });
  afterAll(async () => { await h.close(); });

  it('registers a device with a claim secret shown once and stored hashed', async () => {
    const a = await h.request('POST', '/v1/devices', { token: h.adminToken, json: { id: 'p-1', board: 'esp32-c3', tags: ['roof', 'lab'] } });
    expect(a.status).toBe(201);
    const { claimSecret, tags } = a.json();
    expect(tags).toEqual(['lab', 'roof']);
    expect(claimSecret).toMatch(/^ota_clm_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await h.store.dump())).not.toContain(claimSecret);
    expect((await h.request('GET', '/v1/devices/p-1', { token: h.adminToken })).text()).not.toContain(claimSecret);
    expect((await h.request('POST', '/v1/devices', { token: h.adminToken, json: { id: 'p-1', board: 'x' } })).json().code).toBe('ERR_DEVICE_EXISTS');
  });

  it('exchanges the claim once (CBOR), then refuses it (403), and refuses a wrong one (401)', async () => {
    const { claimSecret } = (await h.request('POST', '/v1/devices', { token: h.adminToken, json: { id: 'p-2', board: 'esp32-c3' } })).json();
    const body = encodeProvisionRequest({ deviceId: 'p-2', claimSecret }, 'cbor');
    const wrong = await h.request('POST', '/v1/provision', { json: { deviceId: 'p-2', claimSecret: 'ota_clm_wrongwrongwrong' } });
    expect([wrong.status, wrong.json().code]).toEqual([401, 'ERR_CLAIM_INVALID']);
    const ok = await h.request('POST', '/v1/provision', { body, contentType: 'application/cbor', headers: { accept: 'application/cbor' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/cbor');
    const answer = decodeProvisionAnswer(ok.bytes, 'cbor');
    expect(answer.mqtt).toEqual({ username: 'p-2', password: expect.stringMatching(/^ota_mq_/), brokers: [{ host: 'mqtt.example', port: 8883, tls: true }], topicPrefix: 'acme' });
    expect(answer.deviceToken).toMatch(/^ota_dev_/);
    expect(answer.serverTimeMs).toBe(h.clock.now);
    expect(await h.server.services.devices.verifyMqtt('p-2', answer.mqtt.password)).toBe(true);
    const before = await h.store.dump();
    const again = await h.request('POST', '/v1/provision', { body, contentType: 'application/cbor' });
    expect([again.status, again.json().code]).toEqual([403, 'ERR_CLAIM_USED']);
    expect(await h.store.dump()).toEqual(before);
    // The token works for the device's own routes.
    expect((await h.request('GET', '/v1/devices/p-2/config', { token: answer.deviceToken })).status).toBe(404);
    expect((await h.request('GET', '/v1/devices/p-1/config', { token: answer.deviceToken })).status).toBe(403);
  });

  it('delivers the config document in force at provisioning', async () => {
    const { claimSecret } = (await h.request('POST', '/v1/devices', { token: h.adminToken, json: { id: 'p-cfg', board: 'esp32-c3', tags: ['t1'] } })).json();
    const { configDocument } = await import('./helpers/fixtures.js');
    const put = await h.request('PUT', '/v1/config/tag/t1', { token: h.adminToken, json: configDocument(120_000) });
    expect(put.status).toBe(200);
    const answer = (await h.request('POST', '/v1/provision', { json: { deviceId: 'p-cfg', claimSecret } })).json();
    expect(answer.config).toMatchObject({ deviceId: 'p-cfg', version: put.json().version, checkInPeriodMs: 120_000 });
  });

  it('resets a claim: the old token stops working, the new secret works once', async () => {
    const { claimSecret } = (await h.request('POST', '/v1/devices', { token: h.adminToken, json: { id: 'p-3', board: 'esp32-c3' } })).json();
    const first = (await h.request('POST', '/v1/provision', { json: { deviceId: 'p-3', claimSecret } })).json();
    const reset = await h.request('POST', '/v1/devices/p-3/claim', { token: h.adminToken });
    expect(reset.status).toBe(200);
    expect((await h.request('GET', '/v1/devices/p-3/config', { token: first.deviceToken })).status).toBe(401);
    expect((await h.request('POST', '/v1/provision', { json: { deviceId: 'p-3', claimSecret } })).status).toBe(401);
    expect((await h.request('POST', '/v1/provision', { json: { deviceId: 'p-3', claimSecret: reset.json().claimSecret } })).status).toBe(200);
  });

  it('imports devices in bulk from JSON and CSV, all or nothing', async () => {
    const json = await h.request('POST', '/v1/devices/import', { token: h.adminToken, json: { devices: [{ id: 'b-1', board: 'esp32-c3' }, { id: 'b-2', board: 'esp32-c3', tags: ['x'] }] } });
    expect(json.status).toBe(201);
    expect(json.json().devices.map((d: { id: string }) => d.id)).toEqual(['b-1', 'b-2']);
    const csv = await h.request('POST', '/v1/devices/import', { token: h.adminToken, body: 'id,board,tags\nb-3,esp32-c3,a;b\nb-4,esp32-s3,\n', contentType: 'text/csv' });
    expect(csv.status).toBe(201);
    expect(csv.json().devices[0]).toMatchObject({ id: 'b-3', tags: ['a', 'b'], claimSecret: expect.stringMatching(/^ota_clm_/) });
    const before = await h.store.dump();
    const dup = await h.request('POST', '/v1/devices/import', { token: h.adminToken, body: 'id,board\nb-5,esp32-c3\nb-1,esp32-c3\n', contentType: 'text/csv' });
    expect([dup.status, dup.json().code]).toEqual([409, 'ERR_DEVICE_EXISTS']);
    const twice = await h.request('POST', '/v1/devices/import', { token: h.adminToken, json: { devices: [{ id: 'b-6', board: 'b' }, { id: 'b-6', board: 'b' }] } });
    expect(twice.json().code).toBe('ERR_DEVICE_EXISTS');
    const badCsv = await h.request('POST', '/v1/devices/import', { token: h.adminToken, body: 'id,board\nb-7\n', contentType: 'text/csv' });
    expect([badCsv.status, badCsv.json().code]).toEqual([400, 'ERR_VALIDATION']);
    const badId = await h.request('POST', '/v1/devices/import', { token: h.adminToken, body: 'id,board\nbad/id,b\n', contentType: 'text/csv' });
    expect(badId.status).toBe(400);
    expect(await h.store.dump()).toEqual(before);
  });

  it('refuses malformed provisioning bodies with the message reason', async () => {
    const cases: Array<[string, string | Uint8Array, string]> = [
      ['application/json', '{"deviceId":"p-1"}', 'ERR_MESSAGE_INVALID'],
      ['application/json', '{"deviceId":"p-1","claimSecret":"ota_clm_xxxxxxxx","more":1}', 'ERR_MESSAGE_INVALID'],
      ['application/json', '{', 'ERR_MESSAGE_INVALID'],
      ['application/cbor', new Uint8Array([0xa1, 0x61]), 'ERR_CBOR_TRUNCATED'],
      ['text/plain', 'hello', 'ERR_MEDIA_TYPE'],
    ];
    const before = await h.store.dump();
    for (const [type, body, code] of cases) {
      const a = await h.request('POST', '/v1/provision', { body, contentType: type });
      expect(a.status, `${type} ${String(body)}`).toBeGreaterThanOrEqual(400);
      expect(a.status).toBeLessThan(500);
      expect(a.json().code).toBe(code);
    }
    const big = await h.request('POST', '/v1/provision', { body: JSON.stringify({ deviceId: 'x', claimSecret: 'y'.repeat(2000) }), contentType: 'application/json' });
    expect([big.status, big.json().code]).toEqual([413, 'ERR_BODY_TOO_LARGE']);
    expect(await h.store.dump()).toEqual(before);
  });
});
