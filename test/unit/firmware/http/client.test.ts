import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, expectStatus } from '../../../../firmware/http/client.js';
import { requestRange } from '../../../../firmware/http/range.js';
import { createNodeSocketPort } from '../../../../hosts/node/socket.js';
import { createSystemTimer } from '../../../../hosts/node/timer.js';

const image = new Uint8Array(200_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
const received: { method?: string; headers?: http.IncomingHttpHeaders; body?: Buffer } = {};
let httpPort = 0;
let rawPort = 0;
let rawScript: (socket: net.Socket) => void = () => undefined;
const servers: net.Server[] = [];

beforeAll(async () => {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.method = req.method;
      received.headers = req.headers;
      received.body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      if (url === '/length') {
        res.writeHead(200, { 'Content-Length': image.length, 'Content-Type': 'application/octet-stream' });
        res.end(Buffer.from(image));
      } else if (url === '/chunked') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }); // no length: node sends chunked
        let i = 0;
        const next = (): void => {
          if (i === 5) { res.end(); return; }
          res.write(`part ${i++};`);
          setImmediate(next);
        };
        next();
      } else if (url === '/echo') {
        res.writeHead(201, { 'Content-Length': received.body.length });
        res.end(received.body);
      } else if (url === '/firmware') {
        const etag = '"v1"';
        const range = req.headers.range;
        const ifRange = req.headers['if-range'];
        const m = range === undefined ? null : /^bytes=(\d+)-(\d*)$/.exec(range);
        if (m === null || (ifRange !== undefined && ifRange !== etag)) {
          res.writeHead(200, { 'Content-Length': image.length, ETag: etag, 'Accept-Ranges': 'bytes' });
          res.end(Buffer.from(image));
          return;
        }
        const first = Number(m[1]);
        const last = m[2] === '' ? image.length - 1 : Math.min(Number(m[2]), image.length - 1);
        if (first >= image.length) {
          res.writeHead(416, { 'Content-Range': `bytes */${image.length}` });
          res.end();
          return;
        }
        res.writeHead(206, { 'Content-Range': `bytes ${first}-${last}/${image.length}`, 'Content-Length': last - first + 1, ETag: etag });
        res.end(Buffer.from(image.subarray(first, last + 1)));
      } else if (url === '/stall') {
        // Never answers.
      } else if (url === '/stall-body') {
        res.writeHead(200, { 'Content-Length': 1000 });
        res.write(Buffer.alloc(10));
      } else if (url === '/big-headers') {
        const headers: Record<string, string> = {};
        for (let i = 0; i < 100; i++) headers[`x-filler-${i}`] = 'y'.repeat(100);
        res.writeHead(200, headers);
        res.end('no');
      } else if (url === '/no-content') {
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(404, { 'Content-Length': 9 });
        res.end('not found');
      }
    });
  });
  const raw = net.createServer((socket) => {
    socket.once('data', () => rawScript(socket));
    socket.on('error', () => undefined);
  });
  for (const s of [server, raw]) {
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    servers.push(s);
  }
  httpPort = (server.address() as AddressInfo).port;
  rawPort = (raw.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of servers) {
    (s as http.Server).closeAllConnections?.();
    await new Promise((resolve) => s.close(resolve));
  }
});

const client = (options: { idleTimeoutMs?: number; maxHeaderBytes?: number } = {}): HttpClient =>
  new HttpClient({ socket: createNodeSocketPort(), timer: createSystemTimer(), ...options });
const get = (path: string, c = client()) => c.request({ host: '127.0.0.1', port: httpPort, path });

async function rawAnswer(answer: string | Buffer, options: { end?: boolean } = {}): Promise<ReturnType<HttpClient['request']>> {
  rawScript = (socket) => {
    socket.write(answer);
    if (options.end !== false) socket.end();
  };
  return client({ idleTimeoutMs: 2000 }).request({ host: '127.0.0.1', port: rawPort, path: '/' });
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return 'no error';
}

describe('HTTP/1.1 client against a real node:http server', () => {
  it('streams a Content-Length body in pieces, never whole', async () => {
    const response = await get('/length');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const pieces: Uint8Array[] = [];
    for await (const piece of response) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(10);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(4096);
    expect(Buffer.concat(pieces).equals(Buffer.from(image))).toBe(true);
  });

  it('decodes a chunked body', async () => {
    const response = await get('/chunked');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(new TextDecoder().decode(await response.bytes())).toBe('part 0;part 1;part 2;part 3;part 4;');
  });

  it('sends a byte body with Content-Length', async () => {
    const body = new TextEncoder().encode('{"a":1}');
    const response = await client().request({ host: '127.0.0.1', port: httpPort, method: 'POST', path: '/echo', headers: { 'Content-Type': 'application/json' }, body });
    expectStatus(response, 201);
    expect(await response.bytes()).toEqual(body);
    expect(received.headers?.['content-length']).toBe('7');
    expect(received.headers?.['content-type']).toBe('application/json');
    expect(received.headers?.host).toBe(`127.0.0.1:${httpPort}`);
    expect(received.headers?.connection).toBe('close');
  });

  it('sends an async iterable body chunked', async () => {
    async function* parts(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 4; i++) yield new Uint8Array(3000).fill(i + 1);
      yield new Uint8Array(0); // skipped: a zero chunk would end the body
    }
    const response = await client().request({ host: '127.0.0.1', port: httpPort, method: 'PUT', path: '/echo', body: parts() });
    expect(response.status).toBe(201);
    expect((await response.bytes(20000)).length).toBe(12000);
    expect(received.method).toBe('PUT');
    expect(received.headers?.['transfer-encoding']).toBe('chunked');
    expect(received.body?.subarray(9000, 9001)[0]).toBe(4);
  });

  it('no body for 204', async () => {
    const response = await get('/no-content');
    expect(response.status).toBe(204);
    expect(await response.read()).toBeUndefined();
  });

  it('expectStatus raises ERR_HTTP_STATUS with the status', async () => {
    const response = await get('/nowhere');
    expect(() => expectStatus(response, 200)).toThrow(expect.objectContaining({ code: 'ERR_HTTP_STATUS', details: { status: 404 } }));
  });

  it('bytes(max) refuses a body past the limit', async () => {
    const response = await get('/length');
    expect(await code(response.bytes(1000))).toBe('ERR_HTTP_BODY_TOO_LARGE');
  });

  describe('Range (protocols.md section 6)', () => {
    it('206: resumes from an offset with a strong If-Range', async () => {
      const { response, outcome } = await requestRange(client(), { host: '127.0.0.1', port: httpPort, path: '/firmware' }, { first: 150_000 }, { etag: '"v1"', knownLength: image.length });
      expect(outcome).toEqual({ kind: 'partial', first: 150_000, last: image.length - 1, complete: image.length });
      expect(received.headers?.['if-range']).toBe('"v1"');
      expect(Buffer.from(await response.bytes(60_000)).equals(Buffer.from(image.subarray(150_000)))).toBe(true);
    });

    it('206 for a closed range', async () => {
      const { response, outcome } = await requestRange(client(), { host: '127.0.0.1', port: httpPort, path: '/firmware' }, { first: 10, last: 19 });
      expect(outcome).toMatchObject({ kind: 'partial', first: 10, last: 19 });
      expect(await response.bytes()).toEqual(image.subarray(10, 20));
    });

    it('200 when If-Range no longer matches: the whole image from byte 0', async () => {
      const { response, outcome } = await requestRange(client(), { host: '127.0.0.1', port: httpPort, path: '/firmware' }, { first: 1000 }, { etag: '"v0"' });
      expect(outcome).toEqual({ kind: 'full', length: image.length });
      expect((await response.bytes(image.length)).length).toBe(image.length);
    });

    it('a weak ETag is never sent in If-Range', async () => {
      const { response } = await requestRange(client(), { host: '127.0.0.1', port: httpPort, path: '/firmware' }, { first: 5, last: 5 }, { etag: 'W/"v1"' });
      response.close();
      expect(received.headers?.['if-range']).toBeUndefined();
    });

    it('416 at exactly the end means complete', async () => {
      const { outcome } = await requestRange(client(), { host: '127.0.0.1', port: httpPort, path: '/firmware' }, { first: image.length }, { knownLength: image.length });
      expect(outcome).toEqual({ kind: 'complete', length: image.length });
    });

    it('416 past the end is ERR_HTTP_RANGE', async () => {
      expect(await code(requestRange(client(), { host: '127.0.0.1', port: httpPort, path: '/firmware' }, { first: image.length + 5 }))).toBe('ERR_HTTP_RANGE');
    });

    it('a 206 for another range is refused before any byte is used', async () => {
      rawScript = (s) => s.end('HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-9/100\r\nContent-Length: 10\r\n\r\n0123456789');
      expect(await code(requestRange(client(), { host: '127.0.0.1', port: rawPort, path: '/' }, { first: 50 }))).toBe('ERR_HTTP_RANGE');
    });
  });

  describe('timeouts and limits', () => {
    it('a server that never answers times out (idle)', async () => {
      expect(await code(get('/stall', client({ idleTimeoutMs: 150 })))).toBe('ERR_HTTP_TIMEOUT');
    });

    it('a body that stalls half-way times out', async () => {
      const response = await get('/stall-body', client({ idleTimeoutMs: 150 }));
      expect(response.status).toBe(200);
      expect(await code(response.bytes())).toBe('ERR_HTTP_TIMEOUT');
    });

    it('a total budget cuts a slow exchange', async () => {
      const c = client({ idleTimeoutMs: 10_000 });
      expect(await code(c.request({ host: '127.0.0.1', port: httpPort, path: '/stall', totalTimeoutMs: 150 }))).toBe('ERR_HTTP_TIMEOUT');
    });

    it('oversized response headers are refused', async () => {
      expect(await code(get('/big-headers', client({ maxHeaderBytes: 4096 })))).toBe('ERR_HTTP_HEADERS_TOO_LARGE');
      // The same answer fits a larger limit.
      expect((await get('/big-headers', client({ maxHeaderBytes: 16384 }))).status).toBe(200);
    });

    it('refuses header injection in the request', async () => {
      expect(await code(client().request({ host: '127.0.0.1', port: httpPort, path: '/', headers: { 'X-A': 'b\r\nX-Evil: 1' } }))).toBe('ERR_ARGUMENT');
      expect(await code(client().request({ host: '127.0.0.1', port: httpPort, path: '/a b' }))).toBe('ERR_ARGUMENT');
    });

    it('connection refused surfaces the socket error', async () => {
      const closed = net.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      expect(await code(client().request({ host: '127.0.0.1', port, path: '/' }))).toBe('ERR_SOCKET_CONNECT');
    });
  });

  describe('malformed responses', () => {
    it.each<[string, string]>([
      ['garbage status line', 'HTTX/1.1 200 OK\r\n\r\n'],
      ['three-digit status missing', 'HTTP/1.1 20 OK\r\n\r\n'],
      ['header without a colon', 'HTTP/1.1 200 OK\r\nBroken header\r\n\r\n'],
      ['space before the colon', 'HTTP/1.1 200 OK\r\nX-A : b\r\n\r\n'],
      ['obsolete line folding', 'HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\n\r\n'],
      ['both Transfer-Encoding and Content-Length', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
      ['conflicting Content-Length values', 'HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc'],
      ['negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
      ['closed inside the head', 'HTTP/1.1 200 OK\r\nContent-Le'],
      ['closed without a response', ''],
    ])('%s: ERR_HTTP_PROTOCOL', async (_name, answer) => {
      expect(await code(rawAnswer(answer))).toBe('ERR_HTTP_PROTOCOL');
    });

    it.each<[string, string]>([
      ['body shorter than Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'],
      ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
      ['chunk longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n'],
      ['chunked body cut off', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'],
      ['chunked body without the last chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n'],
    ])('%s: ERR_HTTP_PROTOCOL while reading the body', async (_name, answer) => {
      const response = await rawAnswer(answer);
      expect(response.status).toBe(200);
      expect(await code(response.bytes())).toBe('ERR_HTTP_PROTOCOL');
    });

    it('skips interim 1xx answers, reads a close-delimited body, keeps chunk extensions and trailers out of the body', async () => {
      const r1 = await rawAnswer('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\nX-A: 2\r\n\r\nuntil close');
      expect(r1.headers.get('x-a')).toBe('1, 2');
      expect(new TextDecoder().decode(await r1.bytes())).toBe('until close');
      const r2 = await rawAnswer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;name=val\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n');
      expect(new TextDecoder().decode(await r2.bytes())).toBe('abc0123456789');
    });

    it('a status line without a reason phrase is accepted (RFC 9112 4)', async () => {
      const response = await rawAnswer('HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok');
      expect(response.statusText).toBe('');
      expect(new TextDecoder().decode(await response.bytes())).toBe('ok');
    });

    it('headers split across many small TCP segments are reassembled', async () => {
      rawScript = (socket) => {
        const answer = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Long: ' + 'z'.repeat(300) + '\r\n\r\nhello');
        let at = 0;
        const step = (): void => {
          if (at >= answer.length) { socket.end(); return; }
          socket.write(answer.subarray(at, at + 7));
          at += 7;
          setTimeout(step, 1);
        };
        step();
      };
      const response = await client().request({ host: '127.0.0.1', port: rawPort, path: '/' });
      expect(response.headers.get('x-long')?.length).toBe(300);
      expect(new TextDecoder().decode(await response.bytes())).toBe('hello');
    });
  });
});
