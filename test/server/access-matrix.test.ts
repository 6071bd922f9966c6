/**
 * The route-by-role matrix: every route the app registers, called by every kind of caller
 * (anonymous, a bad token, the device the route is about, another device, viewer, operator,
 * admin), must be allowed exactly when its declared access says so: otherwise 401 (no or bad
 * token) or 403 (valid token, wrong role or device). Allowed calls carry a dummy body or a
 * missing id, so they end in 2xx or 4xx, never 401/403 and never 5xx.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import authPlugin, { type Access } from '../../ota-server/plugins/auth.js';
import { ROLE_RANK } from '../../ota-server/services/tokens.js';
import { TARGET_NAMES } from './helpers/db.js';
import { checkIn, image, manifestFor, provisionedDevice, publishFirmware, signingKey, trustKey } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

type Caller = 'anonymous' | 'bad-token' | 'device' | 'other-device' | 'viewer' | 'operator' | 'admin';
const CALLERS: readonly Caller[] = ['anonymous', 'bad-token', 'device', 'other-device', 'viewer', 'operator', 'admin'];

function expected(access: Access, caller: Caller): 'allowed' | 401 | 403 {
  if (caller === 'bad-token') return 401;
  if (access.public === true) return 'allowed';
  if (caller === 'anonymous') return 401;
  if (caller === 'device') return access.device !== undefined ? 'allowed' : 403;
  if (caller === 'other-device') return 403;
  return access.role !== undefined && ROLE_RANK[caller] >= ROLE_RANK[access.role] ? 'allowed' : 403;
}

describe.each(TARGET_NAMES)('route-by-role matrix (%s)', (target) => {
  let h: Harness;
  const tokens = new Map<Caller, string | undefined>();
  let sha: string;

  beforeAll(async () => {
    h = await startHarness(target);
    const key = signingKey(3);
    await trustKey(h, key);
    const img = image(2048, 5);
    sha = await publishFirmware(h, img, manifestFor(img, key, { version: '2.0.0' }));
    tokens.set('anonymous', undefined);
    tokens.set('bad-token', 'ota_api_not-a-real-token');
    tokens.set('device', await provisionedDevice(h, 'mx-a'));
    tokens.set('other-device', await provisionedDevice(h, 'mx-b'));
    tokens.set('viewer', await h.token('viewer'));
    tokens.set('operator', await h.token('operator'));
    tokens.set('admin', h.adminToken);
    // mx-a is offered the firmware (the 'offered' access of the image download).
    const r = await h.request('POST', '/v1/rollouts', { token: h.adminToken, json: { firmwareSha256: sha, stages: [100], failureThreshold: 1, minSample: 1000 } });
    expect(r.status).toBe(201);
    expect((await checkIn(h, tokens.get('device')!, 'mx-a')).json().update).toBeDefined();
  });
  afterAll(async () => { await h.close(); });

  /** Concrete path: the device's own id where devices may call, ids that do not exist elsewhere (no destruction). */
  function pathOf(url: string, access: Access): string {
    return url
      .replace(':id', access.device === 'own' ? 'mx-a' : url.startsWith('/v1/keys') ? '0000000000000000' : 'missing-id')
      .replace(':sha256', sha)
      .replace(':name', 'mx-a')
      .replace('*', 'index.html');
  }

  it('covers every route, and every route declares who may call it', () => {
    const routes = h.server.routes;
    expect(routes.length).toBeGreaterThan(60);
    for (const r of routes) expect(r.access.public === true || r.access.role !== undefined || r.access.device !== undefined).toBe(true);
    for (const url of ['/v1/devices/:id/checkin', '/v1/provision', '/v1/firmware/:sha256/image', '/v1/rollouts/:id/pause', '/metrics', '/healthz']) {
      expect(routes.some((r) => r.url === url), url).toBe(true);
    }
  });

  it('allows exactly the declared callers on every route', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of h.server.routes) {
      const path = pathOf(route.url, route.access);
      for (const caller of CALLERS) {
        const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
        const a = await h.request(route.method, path, { token: tokens.get(caller), ...(withBody ? { json: {} } : {}) });
        const want = expected(route.access, caller);
        checked++;
        const ok = a.status < 500 && (want === 'allowed' ? a.status !== 401 && a.status !== 403 : a.status === want);
        if (!ok) failures.push(`${route.method} ${path} as ${caller}: ${a.status}, expected ${want}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(h.server.routes.length * CALLERS.length);
  });

  it('keeps the tokens and the device that the matrix used working (nothing destroyed on the way)', async () => {
    expect((await h.request('GET', '/v1/whoami', { token: tokens.get('viewer') })).json().role).toBe('viewer');
    expect((await checkIn(h, tokens.get('device')!, 'mx-a')).status).toBe(200);
  });
});

describe('access declarations', () => {
  it('the app refuses a route that declares no access, or grants it to nobody', async () => {
    const app = Fastify();
    await app.register(authPlugin, { services: {} as never });
    expect(() => app.get('/oops', async () => 'x')).toThrow(/declares no config.access/);
    expect(() => app.get('/nobody', { config: { access: {} } }, async () => 'x')).toThrow(/grants nobody access/);
    await app.close();
  });
});
