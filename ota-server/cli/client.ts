/**
 * The CLI's HTTP client: global fetch (so tests can intercept it with msw), a timeout on every
 * request, retries for reads only (a GET answered 502/503/504, a network error or a timeout
 * is tried again with a short backoff; a change is never repeated, since it may have happened),
 * and every answer checked before use: an error answer becomes an ApiError carrying the
 * server's code, a 2xx answer that is not the JSON expected becomes 'malformed'.
 */

export type FailureKind = 'http' | 'timeout' | 'network' | 'malformed';

export class ApiError extends Error {
  readonly kind: FailureKind;
  readonly status: number | undefined;
  readonly code: string | undefined;
  constructor(kind: FailureKind, message: string, details: { status?: number; code?: string } = {}) {
    super(message);
    this.kind = kind;
    this.status = details.status;
    this.code = details.code;
  }
}

export interface ClientOptions {
  baseUrl: string;
  token: string | undefined;
  timeoutMs: number;
  /** Extra attempts for reads. */
  retries: number;
  /** Between attempts; tests make it 0. */
  backoffMs?: number;
}

export interface RequestOptions {
  json?: unknown;
  body?: BodyInit;
  contentType?: string;
  headers?: Record<string, string>;
  /** A streamed body: fetch needs `duplex: 'half'`. */
  stream?: boolean;
}

const RETRY_STATUSES = new Set([502, 503, 504]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class ApiClient {
  readonly #o: ClientOptions;
  constructor(options: ClientOptions) {
    this.#o = options;
  }

  get baseUrl(): string {
    return this.#o.baseUrl;
  }

  /** JSON answer of a 2xx, undefined for 204. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    const attempts = method === 'GET' ? 1 + this.#o.retries : 1;
    let last: ApiError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.#once(method, path, options);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        last = error;
        const retriable = error.kind === 'timeout' || error.kind === 'network' || (error.kind === 'http' && RETRY_STATUSES.has(error.status ?? 0));
        if (!retriable || attempt === attempts) throw error;
        await new Promise((r) => setTimeout(r, (this.#o.backoffMs ?? 250) * attempt));
      }
    }
    throw last!;
  }

  async #once(method: string, path: string, options: RequestOptions): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.#o.token !== undefined && this.#o.token !== '') headers.authorization = `Bearer ${this.#o.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (options.contentType !== undefined) {
      headers['content-type'] = options.contentType;
    }
    const url = new URL(path, this.#o.baseUrl).href;
    let response: Response;
    try {
      response = await fetch(url, {
        method, headers, body, signal: AbortSignal.timeout(this.#o.timeoutMs),
        ...(options.stream === true ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      const e = error as { name?: string; cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new ApiError('timeout', `${method} ${path}: no answer within ${this.#o.timeoutMs} ms`);
      throw new ApiError('network', `${method} ${path}: cannot reach ${this.#o.baseUrl} (${e.cause?.code ?? e.cause?.message ?? String(error)})`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const e = error as { name?: string };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new ApiError('timeout', `${method} ${path}: answer not complete within ${this.#o.timeoutMs} ms`);
      throw new ApiError('network', `${method} ${path}: answer cut off (${String(error)})`);
    }
    if (!response.ok) {
      let parsed: unknown;
      try { parsed = JSON.parse(text); } catch { parsed = undefined; }
      const code = isRecord(parsed) && typeof parsed.code === 'string' ? parsed.code : undefined;
      const message = isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message : text.slice(0, 200).replace(/\s+/g, ' ').trim();
      throw new ApiError('http', `${method} ${path}: ${response.status}${code === undefined ? '' : ` ${code}`}${message === '' ? '' : `: ${message}`}`,
        { status: response.status, ...(code === undefined ? {} : { code }) });
    }
    if (response.status === 204) return undefined;
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('application/json')) throw new ApiError('malformed', `${method} ${path}: expected JSON, got ${type === '' ? 'no content type' : type}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ApiError('malformed', `${method} ${path}: answer is not valid JSON`);
    }
  }
}

/** Checks the fields a command reads; a server that answers something else is 'malformed'. */
export function expectShape<T>(value: unknown, what: string, fields: Record<string, 'string' | 'number' | 'array' | 'object' | 'string?' | 'number?'>): T {
  if (!isRecord(value)) throw new ApiError('malformed', `${what}: expected an object`);
  for (const [name, kind] of Object.entries(fields)) {
    const v = value[name];
    const optional = kind.endsWith('?');
    if (optional && (v === undefined || v === null)) continue;
    const base = kind.replace('?', '');
    const ok = base === 'array' ? Array.isArray(v) : base === 'object' ? isRecord(v) : typeof v === base;
    if (!ok) throw new ApiError('malformed', `${what}: field ${name} is not ${/^[aeiou]/.test(base) ? 'an' : 'a'} ${base}`);
  }
  return value as T;
}
