/**
 * A restart in the middle of a rollout loses nothing: the app is closed (graceful shutdown,
 * pending status writes flushed) and built again on the same SQLite file and image directory,
 * or the same PostgreSQL schema; every table is as it was, and the rollout carries on where it
 * stood (states, counts, cohort, automatic pause).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_NAMES } from './helpers/db.js';
import { checkIn, configDocument, image, manifestFor, publishFirmware, signingKey, trustKey } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

describe.each(TARGET_NAMES)('restart in the middle of a rollout (%s)', (target) => {
  let h: Harness;
  const tokens = new Map<string, string>();
  let rolloutId: string;
  let sha: string;
  let img: Uint8Array;
  const ids = Array.from({ length: 10 }, (_, i) => `rs-${i}`);

  beforeAll(async () => { h = await startHarness(target, { statusFlushMs: 50 }); });
  afterAll(async () => { await h.close(); });

  it('sets up a rollout with devices in every state', async () => {
    const key = signingKey(11);
    await trustKey(h, key);
    img = image(5000, 11);
    sha = await publishFirmware(h, img, manifestFor(img, key, { version: '4.0.0' }));
    const reg = (await h.request('POST', '/v1/devices/import', { token: h.adminToken, json: { devices: ids.map((id) => ({ id, board: 'esp32-c3', tags: ['rs'] })) } })).json();
    for (const d of reg.devices) tokens.set(d.id, (await h.request('POST', '/v1/provision', { json: { deviceId: d.id, claimSecret: d.claimSecret } })).json().deviceToken);
    await h.request('PUT', '/v1/config/tag/rs', { token: h.adminToken, json: configDocument(600_000) });
    rolloutId = (await h.request('POST', '/v1/rollouts', { token: h.adminToken, json: { firmwareSha256: sha, tags: ['rs'], stages: [100], failureThreshold: 0.3, minSample: 4 } })).json().id;
    for (const id of ids) expect((await checkIn(h, tokens.get(id)!, id)).json().update).toBeDefined();
    await h.request('GET', `/v1/firmware/${sha}/image`, { token: tokens.get('rs-1')!, headers: { range: 'bytes=0-999' } });
    await checkIn(h, tokens.get('rs-2')!, 'rs-2', { firmwareVersion: '4.0.0', bootState: 'pending-verify' });
    await checkIn(h, tokens.get('rs-3')!, 'rs-3', { firmwareVersion: '4.0.0', updateOutcome: { kind: 'succeeded', version: '4.0.0' } });
    await checkIn(h, tokens.get('rs-4')!, 'rs-4', { updateOutcome: { kind: 'rolled_back', version: '4.0.0', reason: 'ERR_OTA_HEALTH' } });
    h.clock.now += 1000;
    await checkIn(h, tokens.get('rs-5')!, 'rs-5', { batteryVolts: 3.25 });
    const counts = (await h.request('GET', `/v1/rollouts/${rolloutId}`, { token: h.adminToken })).json().counts;
    expect(counts).toEqual({ offered: 6, downloading: 1, installed: 1, succeeded: 1, failed: 0, rolled_back: 1 });
  });

  it('finds every table, the image and the last status write unchanged after the restart', async () => {
    await h.server.services.statusWriter.flush();
    const before = await h.store.dump();
    await h.restart();
    expect(await h.store.dump()).toEqual(before);
    expect((await h.store.getDevice('rs-5'))?.status?.batteryVolts).toBe(3.25);
    const download = await h.request('GET', `/v1/firmware/${sha}/image`, { token: h.adminToken });
    expect(Buffer.from(download.bytes).equals(Buffer.from(img))).toBe(true);
  });

  it('flushes status written behind when it closes', async () => {
    h.clock.now += 1000;
    await checkIn(h, tokens.get('rs-6')!, 'rs-6', { batteryVolts: 3.11 });
    await h.restart();
    expect((await h.store.getDevice('rs-6'))?.status?.batteryVolts).toBe(3.11);
  });

  it('carries on: tokens work, offers resume where they were, the failure count still pauses it', async () => {
    expect((await checkIn(h, tokens.get('rs-1')!, 'rs-1')).json().update.downloadPath).toBe(`/v1/firmware/${sha}/image`);
    expect((await checkIn(h, tokens.get('rs-3')!, 'rs-3', { firmwareVersion: '4.0.0' })).json().update).toBeUndefined();
    expect((await checkIn(h, tokens.get('rs-4')!, 'rs-4')).json().update).toBeUndefined();
    expect((await checkIn(h, tokens.get('rs-7')!, 'rs-7', { configVersion: 0 })).json().config.checkInPeriodMs).toBe(600_000);
    await checkIn(h, tokens.get('rs-2')!, 'rs-2', { firmwareVersion: '4.0.0', updateOutcome: { kind: 'succeeded', version: '4.0.0' } });
    await checkIn(h, tokens.get('rs-8')!, 'rs-8', { updateOutcome: { kind: 'failed', version: '4.0.0', reason: 'ERR_OTA_HASH' } });
    const st = (await h.request('GET', `/v1/rollouts/${rolloutId}`, { token: h.adminToken })).json();
    expect(st).toMatchObject({ state: 'paused', attempted: 4, failures: 2 });
  });
});
