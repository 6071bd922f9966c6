/**
 * One error answer for every failure: `{ statusCode, code, error, message }`. Server codes come
 * from errors.ts; refused device messages, manifests and configs keep the firmware core's code
 * (ERR_MESSAGE_INVALID, ERR_CBOR_*, ERR_OTA_MANIFEST_MALFORMED, ERR_CONFIG_INVALID) so both ends
 * log the same code. Malformed input is counted by route and reason and logged; nothing else
 * happens (every route validates before it writes). Anything unexpected is a 500 with no detail
 * to the caller and the full error in the log.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isFirmwareError } from '../core.js';
import { ServerError, type ServerErrorCode } from '../errors.js';
import type { Metrics } from './metrics.js';

/** Fastify's own codes mapped onto ours. */
const FASTIFY_CODES: Readonly<Record<string, ServerErrorCode>> = Object.freeze({
  FST_ERR_CTP_BODY_TOO_LARGE: 'ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'ERR_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'ERR_BODY_MALFORMED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'ERR_BODY_MALFORMED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'ERR_BODY_MALFORMED',
  FST_ERR_CTP_EMPTY_TYPE: 'ERR_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'ERR_MEDIA_TYPE',
  FST_ERR_VALIDATION: 'ERR_VALIDATION',
  FST_ERR_BAD_URL: 'ERR_BODY_MALFORMED',
  FST_ERR_ASYNC_CONSTRAINT: 'ERR_VALIDATION',
});

interface ErrorAnswer {
  statusCode: number;
  code: string;
  message: string;
}

export function answerFor(error: unknown): ErrorAnswer {
  if (error instanceof ServerError) return { statusCode: error.statusCode, code: error.code, message: error.message };
  if (isFirmwareError(error)) {
    const status = error.code === 'ERR_OTA_MANIFEST_SIGNATURE' ? 422 : 400;
    return { statusCode: status, code: error.code, message: error.message };
  }
  const e = error as Partial<FastifyError> & { validation?: unknown; validationContext?: string };
  if (e !== null && typeof e === 'object') {
    if (e.validation !== undefined) {
      return { statusCode: 400, code: 'ERR_VALIDATION', message: e.message ?? 'invalid request' };
    }
    if (typeof e.code === 'string' && e.code in FASTIFY_CODES) {
      const code = FASTIFY_CODES[e.code]!;
      return { statusCode: new ServerError(code).statusCode, code, message: e.message ?? code };
    }
    if (e.statusCode === 429) return { statusCode: 429, code: 'ERR_RATE_LIMITED', message: e.message ?? 'rate limited' };
    // Other client errors raised by Fastify or its plugins keep their status.
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return { statusCode: e.statusCode, code: typeof e.code === 'string' ? e.code : 'ERR_BODY_MALFORMED', message: e.message ?? '' };
    }
  }
  return { statusCode: 500, code: 'ERR_INTERNAL', message: 'internal error' };
}

const MALFORMED_STATUSES = new Set([400, 413, 415, 422]);

/** The error answer's body, as every route sends it (fields in the order Fastify's serializer writes them). */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  error: string;
}

/**
 * The answer to a failed request, logged and counted: malformed input by route and reason,
 * anything unexpected in full. The error handler and the direct check-in path both use it.
 */
export function errorReply(error: unknown, route: string, log: FastifyBaseLogger, metrics: Metrics): ErrorBody {
  const answer = answerFor(error);
  if (answer.statusCode >= 500) {
    log.error({ err: error, route }, 'request failed');
  } else if (MALFORMED_STATUSES.has(answer.statusCode)) {
    metrics.malformed.inc({ route, reason: answer.code });
    log.warn({ route, reason: answer.code, detail: answer.message }, 'malformed request refused');
  } else {
    log.info({ route, status: answer.statusCode, reason: answer.code }, 'request refused');
  }
  return { statusCode: answer.statusCode, code: answer.code, message: answer.message, error: STATUS_CODES[answer.statusCode] ?? 'Error' };
}

const errorsPlugin: FastifyPluginAsync<{ metrics: Metrics }> = async (app: FastifyInstance, { metrics }) => {
  app.setErrorHandler(async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const body = errorReply(error, request.routeOptions.url ?? 'unmatched', request.log, metrics);
    reply.code(body.statusCode).type('application/json; charset=utf-8');
    return body;
  });

  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404);
    metrics.observeUnmatched(request.method, 404, reply.elapsedTime / 1000);
    const path = request.url.split('?')[0]!.slice(0, 200);
    return { statusCode: 404, code: 'ERR_NOT_FOUND', error: 'Not Found', message: `no route ${request.method} ${path}` };
  });
};

export default fp(errorsPlugin, { name: 'ota-errors', fastify: '5.x' });
