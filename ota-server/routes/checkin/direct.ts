/**
 * Check-in answered straight from node:http, in front of Fastify's router.
 *
 * Check-in is the request the whole fleet makes, and Fastify's pipeline around it (routing,
 * route hooks, content-type parsing, reply) costs more than the check-in's own work (see
 * "Throughput" in docs/server.md). This path takes only a request it can answer exactly as the
 * Fastify route would, and decides that from the request line and headers alone, before a byte
 * of the body is read: POST /v1/devices/{id}/checkin with no query string, a valid device id,
 * Content-Type exactly application/cbor or application/json, a Content-Length from 1 to the
 * route's limit, a `Bearer ota_dev_...` token, and the server not closing. Everything else goes
 * to Fastify untouched, which answers it with its full pipeline (411, 413, 415, 401 without a
 * device token, 503 while closing, ...).
 *
 * It is built from the route's own pieces: TokenService, the same RateLimiter, the route's
 * decoder (decode.ts), CheckInAnswerer, errorReply for refusals, the same metrics and logs.
 * test/server/checkin-direct.test.ts sends the same requests both ways and compares the
 * answers byte for byte.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { TOKEN_PREFIX } from '../../auth/secrets.js';
import { DEVICE_ID_PATTERN, type MessageFormat } from '../../core.js';
import { ServerError } from '../../errors.js';
import { bearerOf, NOT_THIS_DEVICE } from '../../plugins/auth.js';
import { errorReply } from '../../plugins/errors.js';
import type { Metrics } from '../../plugins/metrics.js';
import { rateLimitKey, rateLimitRefusal, type RateLimiter } from '../../plugins/rate-limit.js';
import type { TokenService } from '../../services/tokens.js';
import { messageType } from '../messages.js';
import type { CheckInAnswerer } from './answer.js';
import { decodeCheckInBody } from './decode.js';
import * as S from './schemas.js';

/** Takes the request (true) or leaves it, unread, to the next handler (false). */
export type DirectHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface DirectCheckInOptions {
  tokens: TokenService;
  answer: CheckInAnswerer;
  metrics: Metrics;
  /** Undefined when rate limits are off. */
  limiter: RateLimiter | undefined;
  log: FastifyBaseLogger;
  /** True once the server is closing: Fastify then answers 503. */
  closing: () => boolean;
}

const PATH = /^\/v1\/devices\/([^/?#]+)\/checkin$/;
const DEVICE_BEARER = `Bearer ${TOKEN_PREFIX.device}`;

export function directCheckIn(options: DirectCheckInOptions): DirectHandler {
  const { tokens, answer, metrics, limiter, log, closing } = options;
  const observe = metrics.routeTimer('POST', S.ROUTE);

  /** Writes a whole answer: a flat header list skips the header object's walk. */
  function send(response: ServerResponse, status: number, type: string, body: Uint8Array | string, extra: readonly string[]): void {
    const head = [...extra, 'content-type', type, 'content-length', String(Buffer.byteLength(body))];
    // Begun before the server started closing: the connection must not outlive this answer,
    // or closing waits for its keep-alive timeout (Fastify does the same for its routes).
    if (closing()) head.push('connection', 'close');
    response.writeHead(status, head);
    response.end(body);
  }

  async function respond(response: ServerResponse, deviceId: string, bearer: string, format: MessageFormat, chunks: Buffer[], startedMs: number): Promise<void> {
    let status = 200;
    let limitHeaders: Record<string, number> = {};
    try {
      const principal = await tokens.authenticate(bearer);
      if (principal === undefined) throw new ServerError('ERR_AUTH_INVALID');
      if (principal.kind !== 'device' || principal.device.id !== deviceId) throw new ServerError('ERR_FORBIDDEN', NOT_THIS_DEVICE);
      if (limiter !== undefined) {
        const waitMs = limiter.take(rateLimitKey(principal, undefined));
        if (waitMs > 0) {
          const refusal = rateLimitRefusal(limiter, waitMs);
          limitHeaders = refusal.headers;
          throw refusal.error;
        }
      }
      // The shared validator in the decoder is at least as strict as the route's JSON Schema
      // (test/server/checkin-schema.test.ts), so the route's second check could never refuse.
      const message = decodeCheckInBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), format);
      const answered = await answer(principal.device, message, response.req.headers, log);
      send(response, 200, messageType(answered.format), answered.bytes, []);
    } catch (error) {
      const body = errorReply(error, S.ROUTE, log, metrics);
      status = body.statusCode;
      send(response, status, messageType('json'), JSON.stringify(body), Object.entries(limitHeaders).flatMap(([name, value]) => [name, String(value)]));
    }
    observe(status, (performance.now() - startedMs) / 1000);
  }

  return (request, response) => {
    if (request.method !== 'POST' || closing()) return false;
    const match = PATH.exec(request.url ?? '');
    if (match === null) return false;
    const deviceId = match[1]!;
    if (deviceId.length > 64 || !DEVICE_ID_PATTERN.test(deviceId)) return false;
    const type = request.headers['content-type'];
    const format: MessageFormat | undefined = type === 'application/cbor' ? 'cbor' : type === 'application/json' ? 'json' : undefined;
    if (format === undefined || request.headers['transfer-encoding'] !== undefined) return false;
    const length = Number(request.headers['content-length']);
    if (!(Number.isInteger(length) && length > 0 && length <= S.REQUEST_MAX_BYTES)) return false;
    const authorization = request.headers.authorization;
    if (authorization === undefined || !authorization.startsWith(DEVICE_BEARER)) return false;
    let bearer: string | undefined;
    try {
      bearer = bearerOf(authorization);
    } catch {
      return false;
    }
    if (bearer === undefined) return false;

    const startedMs = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => { chunks.push(chunk); });
    request.on('end', () => {
      // respond answers every failure itself; this catches only a fault in that answering.
      respond(response, deviceId, bearer, format, chunks, startedMs).catch((error: unknown) => {
        log.error({ err: error, route: S.ROUTE }, 'direct check-in failed');
        response.destroy();
      });
    });
    return true;
  };
}
