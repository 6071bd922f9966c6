/**
 * The direct check-in path (ota-server/routes/checkin/direct.ts) against the Fastify route: it
 * takes only the requests it can answer exactly as the route does, leaves every other one unread
 * for Fastify, and answers what it takes byte for byte as the route answers (compared through
 * app.inject, which always runs Fastify's pipeline).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../firmware/codec/cbor.js';
import { encodeCheckIn } from '../../firmware/messages/checkin.js';
import { RateLimiter } from '../../ota-server/plugins/rate-limit.js';
import { checkInAnswerer } from '../../ota-server/routes/checkin/answer.js';
import { directCheckIn } from '../../ota-server/routes/checkin/direct.js';
import { TARGET_NAMES } from './helpers/db.js';
import { checkInBody, provisionedDevice } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

interface Sent {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Sent with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
}

interface Got {
  status: number;
  headers: IncomingHttpHeaders | OutgoingHttpHeaders;
  body: Buffer;
}

const FALLBACK_STATUS = 599;
const COMPARED_HEADERS = ['content-type', 'content-length', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

function send(port: number, s: Sent): Promise<Got> {
  const body = s.body === undefined ? undefined : Buffer.from(s.body);
  const headers: Record<string, string | number> = { ...s.headers };
  if (body !== undefined && s.chunked !== true) headers['content-length'] = body.length;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: s.method ?? 'POST', path: s.path ?? '/v1/devices/cd-1/checkin', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body !== undefined && s.chunked === true) {
      // Two writes, so the body really goes out in chunks.
      req.write(body.subarray(0, 5));
      req.end(body.subarray(5));
    } else req.end(body);
  });
}

describe.each(TARGET_NAMES)('direct check-in path (%s)', (target) => {
  let h: Harness;
  let token: string;
  let otherToken: string;
  let viewer: string;
  let server: Server;
  let port: number;
  /** What reached the fallback, read there: proof the direct path left it unread. */
  const fellBack: Array<{ url: string; body: Buffer }> = [];
  let closing = false;
  let limiter: RateLimiter | undefined;

  beforeAll(async () => {
    h = await startHarness(target);
    token = await provisionedDevice(h, 'cd-1');
    otherToken = await provisionedDevice(h, 'cd-2');
    viewer = await h.token('viewer');
    const directWith = (l: RateLimiter | undefined) => directCheckIn({
      tokens: h.server.services.tokens, answer: checkInAnswerer(h.server.services, h.server.metrics), metrics: h.server.metrics,
      limiter: l, log: h.server.app.log, closing: () => closing,
    });
    const direct = directWith(undefined);
    let limitedDirect: ReturnType<typeof directCheckIn> | undefined;
    server = createServer((req, res) => {
      if (limiter !== undefined) limitedDirect ??= directWith(limiter);
      if ((limiter === undefined ? direct : limitedDirect!)(req, res)) return;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        fellBack.push({ url: req.url!, body: Buffer.concat(chunks) });
        res.writeHead(FALLBACK_STATUS);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  const cbor = (over = {}) => encodeCheckIn(checkInBody('cd-1', over), 'cbor');
  const json = (over = {}) => JSON.stringify(checkInBody('cd-1', over));
  const auth = () => ({ authorization: `Bearer ${token}` });
  const asCbor = () => ({ ...auth(), 'content-type': 'application/cbor' });
  const asJson = () => ({ ...auth(), 'content-type': 'application/json' });

  /** Requests the direct path answers itself. */
  const taken: Array<[string, () => Sent]> = [
    ['CBOR, answered in CBOR', () => ({ headers: { ...asCbor(), accept: 'application/cbor' }, body: cbor() })],
    ['CBOR without Accept', () => ({ headers: asCbor(), body: cbor({ batteryVolts: 3.3 }) })],
    ['CBOR, answered in the JSON Accept names', () => ({ headers: { ...asCbor(), accept: 'text/html, application/json;q=0.9' }, body: cbor() })],
    ['JSON', () => ({ headers: asJson(), body: json() })],
    ['JSON with an update outcome', () => ({ headers: asJson(), body: json({ updateOutcome: { kind: 'rolled_back', version: '1.1.0', reason: 'health' } }) })],
    ['config version behind: the config comes along', () => ({ headers: asJson(), body: json({ configVersion: 0 }) })],
    ['unknown device token', () => ({ headers: { ...asJson(), authorization: 'Bearer ota_dev_unknown' }, body: json() })],
    ['another device\'s token', () => ({ headers: { ...asJson(), authorization: `Bearer ${otherToken}` }, body: json() })],
    ['body names another device', () => ({ headers: asJson(), body: JSON.stringify(checkInBody('cd-2')) })],
    ['truncated CBOR', () => ({ headers: asCbor(), body: new Uint8Array([0xbf, 0x61, 0x61]) })],
    ['CBOR with trailing bytes', () => ({ headers: asCbor(), body: new Uint8Array([...cbor(), 0]) })],
    ['CBOR array', () => ({ headers: asCbor(), body: encode([1, 2]) })],
    ['CBOR with a wrongly typed field', () => ({ headers: asCbor(), body: encode({ ...checkInBody('cd-1'), slot: '0' }) })],
    ['JSON syntax error', () => ({ headers: asJson(), body: '{"deviceId":' })],
    ['JSON with an unknown field', () => ({ headers: asJson(), body: JSON.stringify({ ...checkInBody('cd-1'), extra: 1 }) })],
    ['JSON slot out of range', () => ({ headers: asJson(), body: json({ slot: 2 }) })],
    ['CBOR bytes sent as JSON', () => ({ headers: asJson(), body: cbor() })],
  ];

  /** Requests left to Fastify, unread. */
  const left: Array<[string, () => Sent]> = [
    ['GET', () => ({ method: 'GET', headers: auth() })],
    ['a query string', () => ({ path: '/v1/devices/cd-1/checkin?x=1', headers: asJson(), body: json() })],
    ['a trailing slash', () => ({ path: '/v1/devices/cd-1/checkin/', headers: asJson(), body: json() })],
    ['a percent-encoded id', () => ({ path: '/v1/devices/cd%2D1/checkin', headers: asJson(), body: json() })],
    ['an id longer than allowed', () => ({ path: `/v1/devices/${'a'.repeat(65)}/checkin`, headers: asJson(), body: json() })],
    ['a media type with parameters', () => ({ headers: { ...asJson(), 'content-type': 'application/json; charset=utf-8' }, body: json() })],
    ['another media type', () => ({ headers: { ...auth(), 'content-type': 'text/plain' }, body: 'hello' })],
    ['no media type', () => ({ headers: auth(), body: json() })],
    ['a media type named like an object property', () => ({ headers: { ...auth(), 'content-type': 'constructor' }, body: json() })],
    ['a chunked body', () => ({ headers: asJson(), body: json(), chunked: true })],
    ['an empty body', () => ({ headers: asJson(), body: '' })],
    ['a body over the limit', () => ({ headers: asJson(), body: JSON.stringify({ ...checkInBody('cd-1'), pad: 'x'.repeat(2000) }) })],
    ['no token', () => ({ headers: { 'content-type': 'application/json' }, body: json() })],
    ['an API token', () => ({ headers: { ...asJson(), authorization: `Bearer ${viewer}` }, body: json() })],
    ['a malformed Authorization header', () => ({ headers: { ...asJson(), authorization: 'Bearer ota_dev_a b' }, body: json() })],
    ['Basic authentication', () => ({ headers: { ...asJson(), authorization: 'Basic eDp5' }, body: json() })],
  ];

  async function viaFastify(s: Sent): Promise<Got> {
    const r = await h.server.app.inject({
      method: (s.method ?? 'POST') as 'POST', url: s.path ?? '/v1/devices/cd-1/checkin', headers: s.headers,
      ...(s.body === undefined ? {} : { payload: Buffer.from(s.body) }),
    });
    return { status: r.statusCode, headers: r.headers, body: r.rawPayload };
  }

  function comparable(g: Got): { status: number; headers: Record<string, unknown>; body: string } {
    return { status: g.status, headers: Object.fromEntries(COMPARED_HEADERS.map((k) => [k, g.headers[k]])), body: g.body.toString('base64') };
  }

  it.each(taken)('answers %s exactly as the Fastify route does', async (_name, make) => {
    h.clock.now += 1_000;
    const direct = await send(port, make());
    expect(direct.status).not.toBe(FALLBACK_STATUS);
    const route = await viaFastify(make());
    expect(comparable(direct)).toEqual(comparable(route));
  });

  it.each(left)('leaves a request with %s to Fastify, unread', async (_name, make) => {
    const sent = make();
    const before = fellBack.length;
    const got = await send(port, sent);
    expect(got.status).toBe(FALLBACK_STATUS);
    expect(fellBack.length).toBe(before + 1);
    expect(fellBack.at(-1)!.body).toEqual(Buffer.from(sent.body ?? ''));
  });

  it('leaves every request to Fastify while the server closes', async () => {
    closing = true;
    try {
      const got = await send(port, { headers: asJson(), body: json() });
      expect(got.status).toBe(FALLBACK_STATUS);
    } finally {
      closing = false;
    }
  });

  it('answers a check-in begun before the server started closing with Connection: close', async () => {
    const body = Buffer.from(json());
    const answer = new Promise<Got>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1', port, method: 'POST', path: '/v1/devices/cd-1/checkin', headers: { ...asJson(), 'content-length': body.length },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      // The rest arrives after closing began.
      setTimeout(() => { closing = true; req.end(body.subarray(10)); }, 50);
    });
    try {
      const got = await answer;
      expect(got.status).toBe(200);
      expect(got.headers.connection).toBe('close');
    } finally {
      closing = false;
    }
    // Not closing: the connection stays open for the next check-in.
    expect((await send(port, { headers: asJson(), body: json() })).headers.connection).toBe('keep-alive');
  });

  it('takes from the same rate limit as the route, and refuses as the route does', async () => {
    const sequence = async (answer: (s: Sent) => Promise<Got>) => {
      const got: Got[] = [];
      for (let i = 0; i < 3; i++) got.push(await answer({ headers: asJson(), body: json() }));
      return got.map(comparable);
    };
    limiter = new RateLimiter(2, 60_000);
    const direct = await sequence((s) => send(port, s));
    limiter = undefined;
    const limitedApp = await startHarness(target, { rateLimit: { max: 2, timeWindowMs: 60_000 } });
    try {
      const t = await provisionedDevice(limitedApp, 'cd-1');
      const route = await sequence(async (s) => {
        const r = await limitedApp.server.app.inject({ method: 'POST', url: '/v1/devices/cd-1/checkin', headers: { ...s.headers, authorization: `Bearer ${t}` }, payload: s.body! });
        return { status: r.statusCode, headers: r.headers, body: r.rawPayload };
      });
      expect(direct.map((d) => d.status)).toEqual([200, 200, 429]);
      // The answers differ only in the server time of the accepted ones (two clocks).
      expect(direct[2]).toEqual(route[2]);
      expect(direct[2]!.headers['retry-after']).toBe('60');
    } finally {
      await limitedApp.close();
    }
  });

  it('writes what a check-in reports, as the route does', async () => {
    h.clock.now += 1_000;
    const got = await send(port, { headers: asJson(), body: json({ batteryVolts: 3.42, outbox: { records: 7, bytes: 70, dropped: 0, thinned: 1 } }) });
    expect(got.status).toBe(200);
    await h.server.services.statusWriter.flush();
    const device = (await h.request('GET', '/v1/devices/cd-1', { token: h.adminToken })).json();
    expect(device).toMatchObject({ lastSeenAtMs: h.clock.now, status: { batteryVolts: 3.42, outbox: { records: 7, thinned: 1 } } });
  });

  it('counts and times what it answers in the route\'s metrics', async () => {
    const metrics = await h.server.metrics.registry.metrics();
    expect(metrics).toMatch(/ota_checkins_total\{result="ok"\} [1-9]/);
    expect(metrics).toMatch(/ota_malformed_requests_total\{route="\/v1\/devices\/:id\/checkin",reason="ERR_CBOR_TRUNCATED"\} 2/);
    expect(metrics).toMatch(/ota_http_request_duration_seconds_count\{method="POST",route="\/v1\/devices\/:id\/checkin",status_code="400"\} [1-9]/);
  });
});

describe('the app', () => {
  it('answers a real-HTTP check-in the same with the direct path on and off', async () => {
    const answers: Array<{ status: number; body: string }> = [];
    for (const directCheckInOn of [true, false]) {
      const h = await startHarness('sqlite', { directCheckIn: directCheckInOn });
      try {
        const token = await provisionedDevice(h, 'cd-1');
        const a = await h.request('POST', '/v1/devices/cd-1/checkin', { token, json: checkInBody('cd-1') });
        answers.push({ status: a.status, body: a.text() });
      } finally {
        await h.close();
      }
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.status).toBe(200);
  });
});
