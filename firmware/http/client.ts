/**
 * HTTP/1.1 client (RFC 9110, RFC 9112) over the socket port, for check-in, provisioning and
 * firmware download. One request per connection (`Connection: close`): a sleeping device makes
 * a few requests per wake, and a fresh connection never inherits a half-read body.
 *
 * - Request bodies: bytes with Content-Length, or an (async) iterable of chunks sent with
 *   `Transfer-Encoding: chunked` (or raw when the caller gives a Content-Length).
 * - Responses: the head is read within `maxHeaderBytes` (else ERR_HTTP_HEADERS_TOO_LARGE, the
 *   connection closed); the body is delivered as it arrives (`read()`, `for await`), never
 *   buffered whole unless asked with `bytes(max)`. Content-Length, chunked and close-delimited
 *   framing (RFC 9112 6.3); interim 1xx answers skipped (RFC 9110 15.2).
 * - Timeouts (TimerPort): connect, idle, optional total (ERR_HTTP_TIMEOUT).
 * - Malformed answers raise ERR_HTTP_PROTOCOL. The status is the caller's business (Range
 *   handling in range.ts; expectStatus() for the simple cases).
 */
import { FirmwareError } from '../errors.js';
import type { SocketPort } from '../ports/socket.js';
import type { TimerPort } from '../ports/timer.js';
import { chunkedBody, emptyBody, lengthBody, untilCloseBody, type BodyReader, type Source } from './body.js';
import { Connection, type ConnectTarget } from './connection.js';
import { contentLength, endOfHead, formatRequestHead, isChunked, latin1Bytes, parseResponseHead, type HttpHeaders } from './head.js';

export interface HttpClientOptions {
  socket: SocketPort;
  timer: TimerPort;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Status line plus header section, in bytes (default 8192). */
  maxHeaderBytes?: number;
}

export type HttpBody = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface HttpRequest {
  host: string;
  /** Default 80, or 443 with TLS. */
  port?: number;
  tls?: ConnectTarget['tls'];
  method?: string;
  /** Origin-form request target: `/path?query`. */
  path: string;
  headers?: Readonly<Record<string, string>>;
  body?: HttpBody;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  totalTimeoutMs?: number;
}

export interface HttpResponse extends AsyncIterable<Uint8Array> {
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names. */
  readonly headers: HttpHeaders;
  /** The next piece of the body, undefined at its end (the connection is then closed). */
  read(): Promise<Uint8Array | undefined>;
  /** The rest of the body in one buffer; ERR_HTTP_BODY_TOO_LARGE past `maxBytes` (default 16384). */
  bytes(maxBytes?: number): Promise<Uint8Array>;
  /** Abandons the rest of the body and closes the connection. */
  close(): void;
}

export const DEFAULT_MAX_HEADER_BYTES = 8192;

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

async function* chunksOf(body: Exclude<HttpBody, Uint8Array>): AsyncGenerator<Uint8Array> {
  if (isAsyncIterable(body)) yield* body;
  else yield* body;
}

export class HttpClient {
  readonly #socket: SocketPort;
  readonly #timer: TimerPort;
  readonly #connectMs: number;
  readonly #idleMs: number;
  readonly #maxHeader: number;

  constructor(options: HttpClientOptions) {
    if (options?.socket === undefined || typeof options.socket.connect !== 'function' || typeof options.socket.resolve !== 'function') {
      throw new FirmwareError('ERR_PORT_MISSING', 'HttpClient needs a socket port');
    }
    if (options.timer === undefined || typeof options.timer.set !== 'function' || typeof options.timer.clear !== 'function') {
      throw new FirmwareError('ERR_PORT_MISSING', 'HttpClient needs a timer port');
    }
    this.#socket = options.socket;
    this.#timer = options.timer;
    this.#connectMs = options.connectTimeoutMs ?? 10_000;
    this.#idleMs = options.idleTimeoutMs ?? 10_000;
    this.#maxHeader = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method ?? (req.body === undefined ? 'GET' : 'POST');
    const port = req.port ?? (req.tls === undefined ? 80 : 443);
    const headers: [string, string][] = [];
    const given = new Set<string>();
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      const lower = name.toLowerCase();
      if (lower === 'host' || lower === 'connection' || lower === 'transfer-encoding') continue; // the client owns these
      given.add(lower);
      headers.push([name, value]);
    }
    const defaultPort = req.tls === undefined ? 80 : 443;
    headers.unshift(['Host', port === defaultPort ? req.host : `${req.host}:${port}`]);
    headers.push(['Connection', 'close']);
    let chunked = false;
    let declared: number | undefined;
    if (req.body instanceof Uint8Array) {
      if (!given.has('content-length')) headers.push(['Content-Length', String(req.body.length)]);
      declared = req.body.length;
    } else if (req.body !== undefined) {
      if (given.has('content-length')) declared = Number(req.headers![Object.keys(req.headers!).find((k) => k.toLowerCase() === 'content-length')!]);
      else { chunked = true; headers.push(['Transfer-Encoding', 'chunked']); }
    } else if (method === 'POST' || method === 'PUT') {
      headers.push(['Content-Length', '0']);
    }
    const head = formatRequestHead(method, req.path, headers);

    const conn = await Connection.open(this.#socket, this.#timer, { host: req.host, port, ...(req.tls === undefined ? {} : { tls: req.tls }) }, {
      connectMs: req.connectTimeoutMs ?? this.#connectMs,
      idleMs: req.idleTimeoutMs ?? this.#idleMs,
      ...(req.totalTimeoutMs === undefined ? {} : { totalMs: req.totalTimeoutMs }),
    });
    try {
      await conn.write(head);
      if (req.body instanceof Uint8Array) {
        if (req.body.length > 0) await conn.write(req.body);
      } else if (req.body !== undefined) {
        let sent = 0;
        for await (const chunk of chunksOf(req.body)) {
          if (chunk.length === 0) continue; // a zero-size chunk would end a chunked body
          sent += chunk.length;
          if (chunked) {
            await conn.write(latin1Bytes(`${chunk.length.toString(16)}\r\n`));
            await conn.write(chunk);
            await conn.write(latin1Bytes('\r\n'));
          } else {
            if (sent > declared!) throw new FirmwareError('ERR_ARGUMENT', `request body longer than its Content-Length ${declared}`);
            await conn.write(chunk);
          }
        }
        if (chunked) await conn.write(latin1Bytes('0\r\n\r\n'));
        else if (sent !== declared) throw new FirmwareError('ERR_ARGUMENT', `request body of ${sent} bytes, Content-Length ${declared}`);
      }
      return await this.#readResponse(conn, method);
    } catch (error) {
      conn.close();
      throw error;
    }
  }

  async #readResponse(conn: Connection, method: string): Promise<HttpResponse> {
    const pending: Uint8Array[] = [];
    const source: Source = {
      next: async (max) => {
        const first = pending.shift();
        if (first === undefined) return conn.read(max);
        if (first.length > max) { pending.unshift(first.subarray(max)); return first.subarray(0, max); }
        return first;
      },
      unread: (bytes) => { if (bytes.length > 0) pending.unshift(bytes); },
    };
    for (;;) {
      // Collect the head: everything up to CRLF CRLF, within the limit.
      let buffer = new Uint8Array(0);
      let end = -1;
      while (end < 0) {
        const bytes = await source.next(this.#maxHeader + 4 - buffer.length);
        if (bytes === undefined) throw new FirmwareError('ERR_HTTP_PROTOCOL', buffer.length === 0 ? 'connection closed without a response' : 'connection closed inside the response head');
        const grown = new Uint8Array(buffer.length + bytes.length);
        grown.set(buffer);
        grown.set(bytes, buffer.length);
        const from = buffer.length;
        buffer = grown;
        end = endOfHead(buffer, from);
        if (end < 0 && buffer.length > this.#maxHeader) throw new FirmwareError('ERR_HTTP_HEADERS_TOO_LARGE', `over ${this.#maxHeader} bytes`);
      }
      if (end > this.#maxHeader + 4) throw new FirmwareError('ERR_HTTP_HEADERS_TOO_LARGE', `over ${this.#maxHeader} bytes`);
      source.unread(buffer.subarray(end));
      const head = parseResponseHead(buffer, 0, end - 4);
      if (head.status >= 100 && head.status < 200 && head.status !== 101) continue; // interim answer
      if (head.status < 200 && head.status !== 101) throw new FirmwareError('ERR_HTTP_PROTOCOL', `status ${head.status}`);

      let body: BodyReader;
      const chunked = isChunked(head.headers);
      const length = contentLength(head.headers);
      if (method === 'HEAD' || head.status === 204 || head.status === 304 || head.status === 101) body = emptyBody();
      else if (chunked !== undefined && length !== undefined) throw new FirmwareError('ERR_HTTP_PROTOCOL', 'both Transfer-Encoding and Content-Length'); // RFC 9112 6.3 rule 3
      else if (chunked === true) body = chunkedBody(source, this.#maxHeader);
      else if (chunked === false) body = untilCloseBody(source);
      else if (length !== undefined) body = lengthBody(source, length);
      else body = untilCloseBody(source);
      return makeResponse(head, body, conn);
    }
  }
}

function makeResponse(head: ReturnType<typeof parseResponseHead>, body: BodyReader, conn: Connection): HttpResponse {
  let finished = false;
  const read = async (): Promise<Uint8Array | undefined> => {
    if (finished) return undefined;
    try {
      const bytes = await body();
      if (bytes === undefined) { finished = true; conn.close(); }
      return bytes;
    } catch (error) {
      finished = true;
      conn.close();
      throw error;
    }
  };
  return {
    status: head.status,
    statusText: head.statusText,
    headers: head.headers,
    read,
    async bytes(maxBytes = 16384) {
      const parts: Uint8Array[] = [];
      let total = 0;
      for (let bytes = await read(); bytes !== undefined; bytes = await read()) {
        total += bytes.length;
        if (total > maxBytes) {
          finished = true;
          conn.close();
          throw new FirmwareError('ERR_HTTP_BODY_TOO_LARGE', `over ${maxBytes} bytes`);
        }
        parts.push(bytes);
      }
      const out = new Uint8Array(total);
      let at = 0;
      for (const p of parts) { out.set(p, at); at += p.length; }
      return out;
    },
    close() {
      finished = true;
      conn.close();
    },
    async *[Symbol.asyncIterator]() {
      for (let bytes = await read(); bytes !== undefined; bytes = await read()) yield bytes;
    },
  };
}

/** Throws ERR_HTTP_STATUS (details: status) unless the status is one of `expected`; closes the body then. */
export function expectStatus(response: HttpResponse, ...expected: number[]): void {
  if (!expected.includes(response.status)) {
    response.close();
    throw new FirmwareError('ERR_HTTP_STATUS', `${response.status} ${response.statusText}`, { status: response.status });
  }
}
