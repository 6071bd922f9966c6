import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohortBucket } from '../../ota-server/domain/cohort.js';
import { TARGET_NAMES } from './helpers/db.js';
import { checkIn, image, manifestFor, publishFirmware, signingKey, trustKey } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

describe.each(TARGET_NAMES)('staged rollouts (%s)', (target) => {
  let h: Harness;
  const key = signingKey(7);
  let v2: string;
  let v3: string;
  let s3: string;
  const tokens = new Map<string, string>();

  async function fleet(prefix: string, n: number, tags: string[], board = 'esp32-c3'): Promise<string[]> {
    const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    const reg = await h.request('POST', '/v1/devices/import', { token: h.adminToken, json: { devices: ids.map((id) => ({ id, board, tags })) } });
    expect(reg.status).toBe(201);
    for (const d of reg.json().devices as Array<{ id: string; claimSecret: string }>) {
      const p = await h.request('POST', '/v1/provision', { json: { deviceId: d.id, claimSecret: d.claimSecret } });
      tokens.set(d.id, p.json().deviceToken);
    }
    return ids;
  }
  const offeredTo = async (ids: string[]): Promise<string[]> => {
    const out: string[] = [];
    for (const id of ids) if ((await checkIn(h, tokens.get(id)!, id)).json().update !== undefined) out.push(id);
    return out;
  };
  const create = (body: Record<string, unknown>) => h.request('POST', '/v1/rollouts', { token: h.adminToken, json: body });
  const act = (id: string, action: string) => h.request('POST', `/v1/rollouts/${id}/${action}`, { token: h.adminToken, json: {} });
  const status = async (id: string) => (await h.request('GET', `/v1/rollouts/${id}`, { token: h.adminToken })).json();

  beforeAll(async () => {
    h = await startHarness(target);
    await trustKey(h, key);
    const img2 = image(4096, 2);
    v2 = await publishFirmware(h, img2, manifestFor(img2, key, { version: '2.0.0' }));
    const img3 = image(4096, 3);
    v3 = await publishFirmware(h, img3, manifestFor(img3, key, { version: '3.0.0' }));
    const img4 = image(4096, 4);
    s3 = await publishFirmware(h, img4, manifestFor(img4, key, { version: '2.0.0', board: 'esp32-s3' }));
  });
  afterAll(async () => { await h.close(); });

  it('refuses bad definitions, unknown or unuploaded firmware, and a second live rollout on a target', async () => {
    const before = await h.store.dump();
    const base = { firmwareSha256: v2, stages: [10, 50, 100], failureThreshold: 0.2, minSample: 5, tags: ['alpha'] };
    expect((await create({ ...base, stages: [50, 10] })).json().code).toBe('ERR_ROLLOUT_INVALID');
    expect((await create({ ...base, stages: [] })).json().code).toBe('ERR_VALIDATION');
    expect((await create({ ...base, failureThreshold: 2 })).json().code).toBe('ERR_VALIDATION');
    expect((await create({ ...base, board: 'esp32-s3' })).json().code).toBe('ERR_ROLLOUT_INVALID');
    expect((await create({ ...base, firmwareSha256: 'f'.repeat(64) })).json().code).toBe('ERR_ROLLOUT_INVALID');
    const img = image(100, 9);
    const m = await h.request('POST', '/v1/firmware', { token: h.adminToken, json: { manifest: Buffer.from(manifestFor(img, key, { version: '9.0.0' })).toString('base64') } });
    const noImage = await create({ ...base, firmwareSha256: m.json().firmware.sha256 });
    expect([noImage.status, noImage.json().code]).toEqual([409, 'ERR_IMAGE_MISSING']);
    await h.request('DELETE', `/v1/firmware/${m.json().firmware.sha256}`, { token: h.adminToken });
    expect(await h.store.dump()).toEqual(before);
    const first = await create({ ...base, tags: ['beta', 'alpha'] });
    expect(first.status).toBe(201);
    const second = await create({ ...base, firmwareSha256: v3, tags: ['alpha', 'beta'] });
    expect([second.status, second.json().code]).toEqual([409, 'ERR_ROLLOUT_TARGET_BUSY']);
    expect((await act(first.json().id, 'abort')).json().state).toBe('aborted');
    expect((await create({ ...base, firmwareSha256: v3, tags: ['alpha', 'beta'] })).status).toBe(201);
  });

  it('offers exactly the cohort of each stage, monotonically, and includes devices that join later', async () => {
    const ids = await fleet('c', 60, ['cohort']);
    const r = (await create({ firmwareSha256: v2, tags: ['cohort'], stages: [20, 60, 100], failureThreshold: 0.5, minSample: 100 })).json();
    const expected = (pct: number, list: string[]) => list.filter((id) => cohortBucket(r.id, id) < pct).sort();
    const stage0 = await offeredTo(ids);
    expect(stage0.sort()).toEqual(expected(20, ids));
    expect(stage0.length).toBeGreaterThan(3);
    expect((await act(r.id, 'advance')).json().stageIndex).toBe(1);
    const stage1 = await offeredTo(ids);
    expect(stage1.sort()).toEqual(expected(60, ids));
    for (const id of stage0) expect(stage1).toContain(id);
    const late = await fleet('late', 20, ['cohort']);
    expect((await offeredTo(late)).sort()).toEqual(expected(60, late));
    // Other boards and devices without the tag are never offered.
    await fleet('s3', 3, ['cohort'], 'esp32-s3');
    await fleet('untagged', 3, []);
    expect(await offeredTo(['s3-0', 's3-1', 's3-2', 'untagged-0', 'untagged-1', 'untagged-2'])).toEqual([]);
    const st = await status(r.id);
    expect(st).toMatchObject({ stagePercent: 60, targeted: 80, inCohort: expected(60, [...ids, ...late]).length, firmwareVersion: '2.0.0' });
    expect(st.counts.offered).toBe(expected(60, [...ids, ...late]).length);
    // A device running the target version is not offered it.
    const on = expected(60, ids)[0]!;
    expect((await checkIn(h, tokens.get(on)!, on, { firmwareVersion: '2.0.0', bootState: 'valid' })).json().update).toBeUndefined();
    expect((await act(r.id, 'advance')).json().stageIndex).toBe(2);
    expect((await act(r.id, 'advance')).json().state).toBe('completed');
    expect(await offeredTo(ids.slice(0, 5))).toEqual([]);
  });

  it('pause stops offers, resume restarts them, abort ends them; refused moves are ERR_ROLLOUT_STATE', async () => {
    const ids = await fleet('p', 5, ['pause']);
    const r = (await create({ firmwareSha256: v2, tags: ['pause'], stages: [100], failureThreshold: 0.5, minSample: 100 })).json();
    expect((await offeredTo(ids)).length).toBe(5);
    expect((await act(r.id, 'pause')).json()).toMatchObject({ state: 'paused', stateReason: 'paused by hand' });
    expect(await offeredTo(ids)).toEqual([]);
    const again = await act(r.id, 'pause');
    expect([again.status, again.json().code]).toEqual([409, 'ERR_ROLLOUT_STATE']);
    expect((await act(r.id, 'advance')).json().code).toBe('ERR_ROLLOUT_STATE');
    expect((await act(r.id, 'resume')).json().state).toBe('active');
    expect((await offeredTo(ids)).length).toBe(5);
    expect((await act(r.id, 'abort')).json().state).toBe('aborted');
    expect(await offeredTo(ids)).toEqual([]);
    expect((await act(r.id, 'resume')).json().code).toBe('ERR_ROLLOUT_STATE');
    expect((await act('ro_missing', 'pause')).status).toBe(404);
  });

  it('follows each device through offered, downloading, installed, succeeded', async () => {
    const [id] = await fleet('life', 1, ['life']);
    const token = tokens.get(id!)!;
    const r = (await create({ firmwareSha256: v2, tags: ['life'], stages: [100], failureThreshold: 0.5, minSample: 10 })).json();
    const stateOf = async () => (await h.request('GET', `/v1/devices/${id}`, { token: h.adminToken })).json().rollouts[0].state;
    const offer = (await checkIn(h, token, id!, {}, 'cbor'));
    expect(offer.status).toBe(200);
    expect(await stateOf()).toBe('offered');
    expect((await h.request('GET', `/v1/firmware/${v2}/image`, { token, headers: { range: 'bytes=0-99' } })).status).toBe(206);
    expect(await stateOf()).toBe('downloading');
    await checkIn(h, token, id!, { firmwareVersion: '2.0.0', slot: 1, bootState: 'pending-verify' });
    expect(await stateOf()).toBe('installed');
    const answer = await checkIn(h, token, id!, { firmwareVersion: '2.0.0', slot: 1, bootState: 'valid', updateOutcome: { kind: 'succeeded', version: '2.0.0' } });
    expect(answer.json().update).toBeUndefined();
    expect(await stateOf()).toBe('succeeded');
    // A late outcome report for a finished device changes nothing.
    await checkIn(h, token, id!, { updateOutcome: { kind: 'failed', version: '2.0.0', reason: 'late' } });
    expect(await stateOf()).toBe('succeeded');
    expect((await status(r.id)).counts).toMatchObject({ succeeded: 1, offered: 0 });
    await act(r.id, 'abort');
  });

  it('pauses itself when failures exceed the threshold over the minimum sample, and stops offering', async () => {
    const ids = await fleet('bad', 12, ['bad']);
    const r = (await create({ firmwareSha256: v3, tags: ['bad'], stages: [100], failureThreshold: 0.2, minSample: 5 })).json();
    expect((await offeredTo(ids)).length).toBe(12);
    const report = (id: string, kind: 'succeeded' | 'failed' | 'rolled_back') => checkIn(h, tokens.get(id)!, id,
      kind === 'succeeded' ? { firmwareVersion: '3.0.0', updateOutcome: { kind, version: '3.0.0' } } : { updateOutcome: { kind, version: '3.0.0', reason: 'ERR_OTA_HEALTH' } });
    for (const id of ids.slice(0, 4)) await report(id, 'succeeded');
    await report(ids[4]!, 'rolled_back'); // 1/5 = 0.2: not above the threshold
    expect((await status(r.id)).state).toBe('active');
    await report(ids[5]!, 'failed'); // 2/6
    const st = await status(r.id);
    expect(st).toMatchObject({ state: 'paused', attempted: 6, failures: 2 });
    expect(st.stateReason).toMatch(/^automatic: failure rate 2\/6/);
    expect(await offeredTo(ids.slice(6))).toEqual([]);
    const metrics = (await h.request('GET', '/metrics', { token: h.adminToken })).text();
    expect(metrics).toMatch(new RegExp(`ota_rollout_devices\\{rollout="${r.id}",state="rolled_back"\\} 1`));
    expect(metrics).toMatch(/ota_rollout_state_changes_total\{to="paused"\} [1-9]/);
    await act(r.id, 'abort');
  });

  it('advances by itself after the soak time (checked by the timer and on read)', async () => {
    const ids = await fleet('soak', 30, ['soak']);
    const r = (await create({ firmwareSha256: v2, tags: ['soak'], stages: [10, 100], failureThreshold: 0.5, minSample: 50, soakSeconds: 3600 })).json();
    h.clock.now += 3599_000;
    expect(await h.server.services.rollouts.tick()).toEqual([]);
    h.clock.now += 1_000;
    expect(await h.server.services.rollouts.tick()).toEqual([r.id]);
    expect((await status(r.id)).stageIndex).toBe(1);
    expect((await offeredTo(ids)).length).toBe(30);
    h.clock.now += 10 * 3600_000;
    expect((await status(r.id)).state).toBe('active'); // the last stage waits for a person
    await act(r.id, 'abort');
  });

  it('follows tag changes: a device moved out of the target is no longer offered', async () => {
    const [id] = await fleet('mv', 1, ['move']);
    const r = (await create({ firmwareSha256: v2, tags: ['move'], stages: [100], failureThreshold: 0.5, minSample: 5 })).json();
    expect(await offeredTo([id!])).toEqual([id]);
    expect((await h.request('PATCH', `/v1/devices/${id}`, { token: h.adminToken, json: { tags: ['elsewhere'] } })).status).toBe(200);
    expect(await offeredTo([id!])).toEqual([]);
    await act(r.id, 'abort');
    expect(s3).toMatch(/^[0-9a-f]{64}$/);
  });
});
