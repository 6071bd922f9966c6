/**
 * Fuzzing every route with input that must be refused: malformed and oversized JSON and CBOR,
 * wrong content types, wrong types for every declared body field (fast-check, driven by the
 * route's own schema from the OpenAPI description), unknown fields, bad path parameters and
 * query strings, junk conditional and range headers. Never a 5xx, and afterwards the store
 * and the image directory are exactly as before.
 */
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../firmware/codec/cbor.js';
import type { RouteAccess } from '../../ota-server/plugins/auth.js';
import { TARGET_NAMES } from './helpers/db.js';
import { checkIn, configDocument, image, manifestFor, provisionedDevice, publishFirmware, signingKey, trustKey } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; content?: Record<string, { schema: JsonSchema }> };

const KINDS = ['string', 'number', 'boolean', 'null', 'array', 'object'] as const;
const valueOfKind: Record<(typeof KINDS)[number], fc.Arbitrary<unknown>> = {
  string: fc.string({ maxLength: 40 }),
  number: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
};

/** A value of any JSON kind the declared type does not allow (integer also excludes number). */
function wrongValue(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const declared = schema?.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (declared.length === 0) return fc.constant({ '\u0000': 'x' });
  const allowed = new Set(declared.flatMap((t) => (t === 'integer' ? ['number'] : [t])));
  return fc.oneof(...KINDS.filter((k) => !allowed.has(k)).map((k) => valueOfKind[k]));
}

/** Objects whose every present field has a wrong type (required ones always present), or junk with an unknown field. */
function wrongBody(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const props = schema?.properties ?? {};
  const names = Object.keys(props);
  const junk = fc.record({ __fuzz: fc.jsonValue({ maxDepth: 2 }) });
  if (names.length === 0) return fc.oneof(junk, wrongValue(schema));
  const required = new Set(schema?.required ?? []);
  const wrongTyped = fc.record(Object.fromEntries(names.map((n) => [n, wrongValue(props[n])])), { requiredKeys: names.filter((n) => required.has(n)) })
    .filter((o) => Object.keys(o).length > 0);
  return fc.oneof(wrongTyped, junk, wrongValue(schema));
}

const ROOT_JUNK: ReadonlyArray<[string, string | Uint8Array]> = [
  ['application/json', '{'], ['application/json', '{"a":'], ['application/json', 'nul'], ['application/json', '[1,'],
  ['application/json', '\u0000\u0001'], ['application/json', '{"a":1}{"b":2}'], ['application/json', '"unterminated'],
  ['application/cbor', new Uint8Array([0xff])], ['application/cbor', new Uint8Array([0xa1, 0x61])], ['application/cbor', new Uint8Array([0x1c])],
  ['application/cbor', new Uint8Array([0x9f, 0x9f, 0x9f, 0x9f])], ['application/cbor', new Uint8Array([0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
  ['application/cbor', encode([1, 2, 3])], ['application/cbor', encode('text')],
  ['text/plain', 'hello'], ['application/xml', '<a/>'], ['application/x-www-form-urlencoded', 'a=1&b=2'], ['multipart/form-data; boundary=x', '--x--'],
];

describe.each(TARGET_NAMES)('fuzzing every route (%s)', (target) => {
  let h: Harness;
  let deviceToken: string;
  let sha: string;
  let rolloutId: string;
  let spec: { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> };

  beforeAll(async () => {
    h = await startHarness(target);
    const key = signingKey(4);
    await trustKey(h, key);
    const img = image(3000, 6);
    sha = await publishFirmware(h, img, manifestFor(img, key, { version: '2.0.0' }));
    deviceToken = await provisionedDevice(h, 'fz-a', 'esp32-c3', ['fz']);
    await provisionedDevice(h, 'fz-b', 'esp32-c3');
    await h.request('PUT', '/v1/config/fleet', { token: h.adminToken, json: configDocument() });
    rolloutId = (await h.request('POST', '/v1/rollouts', { token: h.adminToken, json: { firmwareSha256: sha, stages: [50, 100], failureThreshold: 0.5, minSample: 10 } })).json().id;
    await checkIn(h, deviceToken, 'fz-a');
    spec = h.server.app.swagger() as typeof spec;
  });
  afterAll(async () => { await h.close(); });

  const routes = (): RouteAccess[] => h.server.routes.filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs'));
  const tokenFor = (r: RouteAccess): string | undefined => (r.access.public === true ? undefined : r.access.role !== undefined ? h.adminToken : deviceToken);
  const pathOf = (url: string, params: { id?: string; sha256?: string; name?: string } = {}): string => url
    .replace(':id', params.id ?? (url.startsWith('/v1/rollouts') ? rolloutId : url.startsWith('/v1/keys') ? '0000000000000000' : url.startsWith('/v1/tokens') ? 'tok_x' : 'fz-a'))
    .replace(':sha256', params.sha256 ?? sha)
    .replace(':name', params.name ?? 'fz');
  const bodySchemaOf = (r: RouteAccess): JsonSchema | undefined => {
    const op = spec.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
    const content = op?.requestBody?.content;
    return content?.['application/json']?.schema;
  };

  let before: Awaited<ReturnType<Harness['store']['dump']>>;
  let files: string[];
  it('takes a snapshot of the state', async () => {
    before = await h.store.dump();
    files = readdirSync(join(h.target.dataDir, 'firmware')).sort();
    expect(before.devices!.length).toBe(2);
  });

  /** node:http, not fetch: fetch refuses a body on GET, and the fuzz sends one anyway. */
  const send = (r: RouteAccess, path: string, body: string | Uint8Array | undefined, contentType: string | undefined, extra: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      const headers: Record<string, string> = { ...extra };
      const token = tokenFor(r);
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (contentType !== undefined) headers['content-type'] = contentType;
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = httpRequest(h.url + path, { method: r.method, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      // The server may answer 413 and close before the whole body is sent.
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve(413) : reject(error)));
      req.end(body === undefined ? undefined : Buffer.from(body));
    });
  const mutating = (r: RouteAccess) => r.method !== 'GET';

  it('refuses malformed, oversized and wrongly typed bodies on every route', async () => {
    const bad: string[] = [];
    const big = '{"a":"' + 'x'.repeat(5 * 1024 * 1024) + '"}';
    for (const r of routes()) {
      const path = pathOf(r.url);
      for (const [type, body] of [...ROOT_JUNK, ['application/json', big] as [string, string]]) {
        const status = await send(r, path, body, type);
        if (status >= 500 || (mutating(r) && status < 400)) bad.push(`${r.method} ${path} ${type} ${String(body).slice(0, 20)}: ${status}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('refuses fast-check bodies with wrong field types or unknown fields, as JSON and CBOR', async () => {
    const bad: string[] = [];
    for (const r of routes().filter((x) => ['POST', 'PUT', 'PATCH'].includes(x.method))) {
      const path = pathOf(r.url);
      const schema = bodySchemaOf(r);
      await fc.assert(fc.asyncProperty(wrongBody(schema), fc.boolean(), async (value, asCbor) => {
        const status = asCbor ? await send(r, path, encode(value), 'application/cbor') : await send(r, path, JSON.stringify(value), 'application/json');
        if (status >= 500 || status < 400) bad.push(`${r.method} ${path} ${JSON.stringify(value).slice(0, 80)}: ${status}`);
      }), { numRuns: 12, seed: 20_251_126 });
    }
    expect(bad).toEqual([]);
  });

  it('refuses bad path parameters and query strings', async () => {
    const bad: string[] = [];
    const junkIds = ['..', '%00', 'a'.repeat(300), '%E2%80%AE', 'x%2Fy', '-lead', 'sp%20ace', '%FF'];
    for (const r of routes()) {
      for (const junk of junkIds) {
        if (!/:(id|sha256|name)/.test(r.url)) continue;
        const path = pathOf(r.url, { id: junk, sha256: junk, name: junk });
        const status = await send(r, path, undefined, undefined);
        if (status >= 500 || (status < 400 && mutating(r))) bad.push(`${r.method} ${path}: ${status}`);
      }
      for (const query of ['?limit=-1', '?limit=1e3', '?limit=abc', '?offset=1.5', '?limit=1&limit=2', '?state=bogus', '?unknown=1', '?board=%00']) {
        const status = await send(r, pathOf(r.url) + query, undefined, undefined);
        if (status >= 500) bad.push(`${r.method} ${r.url}${query}: ${status}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('survives junk conditional and range headers on downloads', async () => {
    const r = routes().find((x) => x.url === '/v1/firmware/:sha256/image' && x.method === 'GET')!;
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 60 }).filter((s) => /^[ -~]*$/.test(s)), fc.constantFrom('range', 'if-range', 'if-none-match'), async (value, header) => {
      const status = await send(r, pathOf(r.url), undefined, undefined, { [header]: value, ...(header === 'if-range' ? { range: 'bytes=0-9' } : {}) });
      expect([200, 206, 304, 400, 416]).toContain(status);
    }), { numRuns: 60, seed: 7 });
  });

  it('changed nothing', async () => {
    expect(await h.store.dump()).toEqual(before);
    expect(readdirSync(join(h.target.dataDir, 'firmware')).sort()).toEqual(files);
  });
});
