/**
 * The CLI facing a failing server (msw intercepts the global fetch the CLI uses): 5xx answers,
 * timeouts, a refused connection, and answers that are not what was asked for. Reads are
 * retried on 502/503/504, network errors and timeouts; changes never are. Every failure ends
 * with a one-line reason on stderr and exit status 1, never a stack trace.
 */
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ctl } from './cli/run.js';

const URL = 'http://ota.test';
const env = { OTA_URL: URL, OTA_TOKEN: 'ota_api_test', OTA_CTL_BACKOFF_MS: '0' };
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function counting(method: 'get' | 'post', path: string, answers: Array<() => Response | Promise<Response>>): { calls: () => number } {
  let n = 0;
  server.use(http[method](`${URL}${path}`, async () => answers[Math.min(n++, answers.length - 1)]!()));
  return { calls: () => n };
}

describe('ctl against a failing server', () => {
  it('reports a 500 with the server\'s code and exits 1', async () => {
    counting('get', '/v1/rollouts/r1', [() => HttpResponse.json({ statusCode: 500, code: 'ERR_INTERNAL', message: 'internal error' }, { status: 500 })]);
    const r = await ctl(['rollout', 'status', 'r1'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: GET /v1/rollouts/r1: 500 ERR_INTERNAL: internal error\n');
    expect(r.stdout).toBe('');
  });

  it('retries a read on 503 and succeeds', async () => {
    const status = { id: 'r1', state: 'active', stages: [1, 100], stageIndex: 0, stagePercent: 1, counts: { offered: 1 }, failureRate: 0, attempted: 0, failures: 0, targeted: 10, inCohort: 1, failureThreshold: 0.2, minSample: 5 };
    const c = counting('get', '/v1/rollouts/r1', [() => new HttpResponse('busy', { status: 503 }), () => new HttpResponse('busy', { status: 503 }), () => HttpResponse.json(status)]);
    const r = await ctl(['rollout', 'status', 'r1', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.json().id).toBe('r1');
    expect(c.calls()).toBe(3);
  });

  it('gives up after the retries, naming the last failure', async () => {
    const c = counting('get', '/v1/rollouts', [() => new HttpResponse('<html>bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } })]);
    const r = await ctl(['rollout', 'list', '--retries', '1'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('502: <html>bad gateway</html>');
    expect(c.calls()).toBe(2);
  });

  it('never repeats a change, even on 503', async () => {
    const c = counting('post', '/v1/rollouts/r1/pause', [() => new HttpResponse(null, { status: 503 })]);
    const r = await ctl(['rollout', 'pause', 'r1'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('POST /v1/rollouts/r1/pause: 503');
    expect(c.calls()).toBe(1);
  });

  it('times out a server that never answers', async () => {
    const c = counting('get', '/v1/devices', [async () => { await delay('infinite'); return HttpResponse.json({}); }]);
    const r = await ctl(['devices', 'list', '--timeout', '50', '--retries', '1'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: GET /v1/devices?limit=100: no answer within 50 ms\n');
    expect(c.calls()).toBe(2);
  });

  it('reports a connection that fails', async () => {
    counting('get', '/v1/whoami', [() => HttpResponse.error()]);
    const r = await ctl(['whoami', '--retries', '0'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: GET \/v1\/whoami: cannot reach http:\/\/ota.test/);
  });

  it('refuses a 200 that is not JSON', async () => {
    counting('get', '/v1/keys', [() => new HttpResponse('<html>captive portal</html>', { headers: { 'content-type': 'text/html' } })]);
    const r = await ctl(['keys', 'list'], env);
    expect([r.code, r.stderr]).toEqual([1, 'error: GET /v1/keys: expected JSON, got text/html\n']);
  });

  it('refuses JSON that does not parse', async () => {
    counting('get', '/v1/keys', [() => new HttpResponse('{"keys": [', { headers: { 'content-type': 'application/json' } })]);
    const r = await ctl(['keys', 'list'], env);
    expect([r.code, r.stderr]).toEqual([1, 'error: GET /v1/keys: answer is not valid JSON\n']);
  });

  it('refuses JSON of the wrong shape', async () => {
    counting('get', '/v1/keys', [() => HttpResponse.json({ keys: 'none' })]);
    expect((await ctl(['keys', 'list'], env)).stderr).toBe('error: keys: field keys is not an array\n');
    counting('get', '/v1/rollouts/r2', [() => HttpResponse.json({ id: 'r2', state: 'active' })]);
    expect((await ctl(['rollout', 'status', 'r2'], env)).stderr).toBe('error: rollout: field counts is not an object\n');
    counting('post', '/v1/devices', [() => HttpResponse.json([1, 2], { status: 201 })]);
    expect((await ctl(['devices', 'register', 'd1', '--board', 'b'], env)).stderr).toBe('error: device: expected an object\n');
  });

  it('hints at the token on 401', async () => {
    counting('get', '/v1/whoami', [() => HttpResponse.json({ statusCode: 401, code: 'ERR_AUTH_REQUIRED', message: 'a bearer token is required' }, { status: 401 })]);
    const r = await ctl(['whoami'], { OTA_URL: URL });
    expect(r.stderr).toContain('hint: set --token or OTA_TOKEN');
  });
});
