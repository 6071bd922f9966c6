import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_ERRORS, RETIRED_SERVER_ERRORS } from '../../ota-server/errors.js';
import { checkIn, provisionedDevice } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

describe('system routes', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('sqlite'); });
  afterAll(async () => { await h.close(); });

  it('serves an OpenAPI 3.1 description naming every route and who may call it', async () => {
    const a = await h.request('GET', '/openapi.json');
    expect(a.status).toBe(200);
    const spec = a.json();
    expect(spec.openapi).toBe('3.1.0');
    const ops = Object.values(spec.paths as Record<string, Record<string, { 'x-access'?: unknown; description?: string }>>).flatMap((p) => Object.values(p));
    expect(ops.length).toBeGreaterThan(35);
    for (const op of ops) {
      expect(op['x-access']).toBeDefined();
      expect(op.description).toMatch(/^Access: /);
    }
    expect(spec.paths['/v1/provision'].post.security).toEqual([]);
    expect(spec.paths['/v1/devices/{id}/checkin'].post.requestBody.content).toHaveProperty('application/cbor');
  });

  it('serves readable docs at /docs', async () => {
    const a = await h.request('GET', '/docs/static/index.html');
    expect(a.status).toBe(200);
    expect(a.text()).toContain('swagger');
  });

  it('answers /healthz without a token', async () => {
    expect((await h.request('GET', '/healthz')).json()).toEqual({ status: 'ok', store: 'sqlite' });
  });

  it('exposes Prometheus metrics to viewers only', async () => {
    expect((await h.request('GET', '/metrics')).status).toBe(401);
    const a = await h.request('GET', '/metrics', { token: await h.token('viewer') });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/^text\/plain/);
    for (const name of ['ota_checkins_total', 'ota_malformed_requests_total', 'ota_rollout_devices', 'ota_rollouts', 'ota_http_request_duration_seconds', 'ota_devices']) {
      expect(a.text()).toContain(`# TYPE ${name}`);
    }
  });

  it('gives unknown routes a coded 404, timed under route "unmatched"', async () => {
    expect((await h.request('GET', '/v2/nothing')).json()).toMatchObject({ statusCode: 404, code: 'ERR_NOT_FOUND' });
    expect((await h.request('DELETE', '/v2/nothing')).status).toBe(404);
    expect((await h.request('GET', '/v2/else')).status).toBe(404);
    const metrics = (await h.request('GET', '/metrics', { token: await h.token('viewer') })).text();
    expect(metrics).toContain('ota_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 2');
    expect(metrics).toContain('ota_http_request_duration_seconds_count{method="DELETE",route="unmatched",status_code="404"} 1');
  });
});

describe('per-token rate limits', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('sqlite', { rateLimit: { max: 5, timeWindowMs: 60_000 } }); });
  afterAll(async () => { await h.close(); });

  it('limits each token on its own, and devices by their token too', async () => {
    const viewer = await h.token('viewer');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await h.request('GET', '/v1/devices', { token: viewer })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await h.request('GET', '/v1/devices', { token: viewer });
    expect(limited.json().code).toBe('ERR_RATE_LIMITED');
    expect(limited.headers.get('retry-after')).not.toBeNull();
    // Another token is not affected.
    const operator = await h.token('operator');
    expect((await h.request('GET', '/v1/devices', { token: operator })).status).toBe(200);
    const device = await provisionedDevice(h, 'rl-1');
    for (let i = 0; i < 5; i++) expect((await checkIn(h, device, 'rl-1')).status).toBe(200);
    expect((await checkIn(h, device, 'rl-1')).status).toBe(429);
  });
});

describe('server error codes', () => {
  const doc = readFileSync(resolve(import.meta.dirname, '../../docs/server.md'), 'utf8');
  for (const code of Object.keys(SERVER_ERRORS)) {
    it(`${code} is listed in docs/server.md`, () => expect(doc).toContain(`\`${code}\``));
  }
  it('retired codes are not in use', () => {
    for (const code of RETIRED_SERVER_ERRORS) expect(Object.keys(SERVER_ERRORS)).not.toContain(code);
  });
});
