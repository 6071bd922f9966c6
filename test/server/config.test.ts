import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_NAMES } from './helpers/db.js';
import { configDocument } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { scopeName, scopeParts } from '../../ota-server/services/configs.js';

describe.each(TARGET_NAMES)('remote config (%s)', (target) => {
  let h: Harness;
  let operator: string;
  let viewer: string;
  beforeAll(async () => {
    h = await startHarness(target);
    operator = await h.token('operator');
    viewer = await h.token('viewer');
  });
  afterAll(async () => { await h.close(); });

  it('versions documents per scope and keeps their history', async () => {
    const a = (await h.request('PUT', '/v1/config/tag/north', { token: operator, json: configDocument(600_000) })).json();
    const b = (await h.request('PUT', '/v1/config/tag/north', { token: operator, json: configDocument(1_200_000) })).json();
    expect(b.version).toBeGreaterThan(a.version);
    expect((await h.request('GET', '/v1/config/tag/north', { token: viewer })).json()).toMatchObject({ scope: 'tag:north', version: b.version, document: { checkInPeriodMs: 1_200_000 } });
    await h.request('DELETE', '/v1/config/tag/north', { token: operator });
    const history = (await h.request('GET', '/v1/config/tag/north/history?limit=10', { token: viewer })).json().versions;
    expect(history.map((v: { document: unknown }) => v.document === null ? null : (v.document as { checkInPeriodMs: number }).checkInPeriodMs)).toEqual([null, 1_200_000, 600_000]);
    expect((await h.request('GET', '/v1/config/tag/north', { token: viewer })).status).toBe(404);
  });

  it.each([
    ['a sample period below the minimum', { channels: [{ ...(configDocument().channels as object[])[0], samplePeriodMs: 10 }] }, /samplePeriodMs/],
    ['a check-in period of one second', { checkInPeriodMs: 1000 }, /checkInPeriodMs/],
    ['an unknown field', { surprise: true }, /surprise/],
    ['a deviceId (set by the server)', { deviceId: 'x' }, /deviceId/],
    ['a version (set by the server)', { version: 3 }, /version/],
    ['a bad battery policy', { battery: { lowVolts: 9, stretch: 1 } }, /battery/],
  ])('refuses %s with the firmware validator\'s reason and path', async (_what, change, path) => {
    const before = await h.store.dump();
    const a = await h.request('PUT', '/v1/config/fleet', { token: operator, json: { ...configDocument(), ...change } });
    expect([a.status, a.json().code]).toEqual([400, 'ERR_CONFIG_INVALID']);
    expect(a.json().message).toMatch(path);
    expect(await h.store.dump()).toEqual(before);
  });

  it('refuses non-object documents and bad scope names', async () => {
    expect((await h.request('PUT', '/v1/config/fleet', { token: operator, body: '[1]', contentType: 'application/json' })).json().code).toBe('ERR_VALIDATION');
    expect((await h.request('PUT', '/v1/config/tag/bad%20tag', { token: operator, json: configDocument() })).json().code).toBe('ERR_VALIDATION');
    expect((await h.request('PUT', '/v1/config/device/-x', { token: operator, json: configDocument() })).json().code).toBe('ERR_VALIDATION');
  });

  it('lets operators write, viewers only read', async () => {
    expect((await h.request('PUT', '/v1/config/fleet', { token: viewer, json: configDocument() })).status).toBe(403);
    expect((await h.request('PUT', '/v1/config/fleet', { token: operator, json: configDocument() })).status).toBe(200);
    expect((await h.request('GET', '/v1/config', { token: viewer })).json().configs.map((c: { scope: string }) => c.scope)).toEqual(['fleet']);
  });
});

describe('config scope names', () => {
  it('scopeParts reads back what scopeName writes, and nothing else', () => {
    for (const [kind, name] of [['fleet', ''], ['tag', 'roof'], ['tag', 'a:b'], ['device', 'node-1'], ['device', 'x.y:z']] as const) {
      expect(scopeParts(scopeName(kind, name))).toStrictEqual({ kind, name });
    }
    for (const other of ['', 'fleet:x', 'tags:a', ':a', 'device', 'Fleet']) expect(scopeParts(other)).toBeUndefined();
  });
});
