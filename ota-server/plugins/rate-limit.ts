/**
 * Per-caller rate limits: at most `max` requests per `timeWindowMs`, counted per API token,
 * per device, or per IP address without a token (fixed windows that start at a caller's first
 * request, as @fastify/rate-limit's local store counts). A refusal is 429 ERR_RATE_LIMITED with
 * `retry-after` and the x-ratelimit-* headers; an accepted request carries no limit headers (a
 * device has no use for them on every check-in).
 *
 * Written here rather than taken from @fastify/rate-limit because this runs on every check-in:
 * one synchronous route-level onRequest hook (added after authentication's, so the key is who
 * is calling and nothing of the body is read first), one Map lookup, no allocation for a caller
 * already counted. Counts are per instance (several instances each allow `max`); the direct
 * check-in path (routes/checkin/direct.ts) takes from the same limiter.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { ServerError } from '../errors.js';
import type { Principal } from '../services/tokens.js';
import { addRouteHook, principalOf } from './auth.js';

interface Window { count: number; startMs: number }

export class RateLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();

  constructor(max: number, windowMs: number, options: { capacity?: number; now?: () => number } = {}) {
    this.#max = max;
    this.#windowMs = windowMs;
    this.#capacity = options.capacity ?? 100_000;
    this.#now = options.now ?? (() => performance.now());
  }

  get max(): number { return this.#max; }
  get windowMs(): number { return this.#windowMs; }

  /** Counts one request of `key`: 0 when allowed, else the ms until its window ends. */
  take(key: string): number {
    const now = this.#now();
    const w = this.#windows.get(key);
    if (w !== undefined && now - w.startMs < this.#windowMs) {
      w.count++;
      return w.count <= this.#max ? 0 : Math.max(1, Math.ceil(w.startMs + this.#windowMs - now));
    }
    if (w !== undefined) {
      // Re-inserted, so the Map's order stays oldest window first (evicted first when full).
      this.#windows.delete(key);
      w.count = 1;
      w.startMs = now;
      this.#windows.set(key, w);
    } else {
      if (this.#windows.size >= this.#capacity) this.#windows.delete(this.#windows.keys().next().value!);
      this.#windows.set(key, { count: 1, startMs: now });
    }
    return this.#max >= 1 ? 0 : this.#windowMs;
  }
}

/** Who is counted: the device, the API token, or the address of a caller without a token. */
export function rateLimitKey(principal: Principal, ip: string | undefined): string {
  return principal.kind === 'device' ? `d:${principal.device.id}` : principal.kind === 'api' ? `t:${principal.token.id}` : `ip:${ip}`;
}

/** The refusal of a request `waitMs` before its caller's window ends: its headers and error. */
export function rateLimitRefusal(limiter: RateLimiter, waitMs: number): { headers: Record<string, number>; error: ServerError } {
  const seconds = Math.ceil(waitMs / 1000);
  return {
    headers: { 'x-ratelimit-limit': limiter.max, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': seconds, 'retry-after': seconds },
    error: new ServerError('ERR_RATE_LIMITED', `${limiter.max} per ${Math.round(limiter.windowMs / 1000)} s; retry in ${seconds} s`),
  };
}

const rateLimitPlugin: FastifyPluginAsync<{ limiter: RateLimiter }> = async (app: FastifyInstance, { limiter }) => {
  const limit = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const waitMs = limiter.take(rateLimitKey(principalOf(request), request.ip));
    if (waitMs === 0) {
      done();
      return;
    }
    const refusal = rateLimitRefusal(limiter, waitMs);
    reply.headers(refusal.headers);
    done(refusal.error);
  };
  app.addHook('onRoute', (route) => { addRouteHook(route, 'onRequest', limit); });
};

export default fp(rateLimitPlugin, { name: 'ota-rate-limit', fastify: '5.x', dependencies: ['ota-auth'] });
