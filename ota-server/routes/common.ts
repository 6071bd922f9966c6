/** Schema fragments every resource uses; each resource keeps its own schemas beside its routes. */
import { DEVICE_ID_PATTERN } from '../core.js';
import type { Services } from '../services/index.js';

export interface RouteOptions {
  services: Services;
}

export const ERROR_SCHEMA = Object.freeze({
  $id: 'Error',
  type: 'object',
  description: 'Every error answer. `code` is from the server table (docs/server.md) or the firmware core (docs/errors.md).',
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', examples: ['ERR_VALIDATION'] },
    error: { type: 'string' },
    message: { type: 'string' },
  },
  required: ['statusCode', 'code', 'message'],
});

export const errorRef = { $ref: 'Error#' } as const;

/** The usual error answers of a route, for the OpenAPI description. */
export function errors(...statuses: number[]): Record<number, typeof errorRef> {
  return Object.fromEntries([401, 403, 429, ...statuses].map((s) => [s, errorRef]));
}

export const DEVICE_ID = { type: 'string', pattern: DEVICE_ID_PATTERN.source, maxLength: 64, description: 'device id (also an MQTT topic level)' } as const;
export const BOARD = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'board id, as in the firmware manifest' } as const;
export const TAG = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$' } as const;
export const TAGS = { type: 'array', items: TAG, maxItems: 32, uniqueItems: true } as const;
export const SHA256 = { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the image, lower-case hex' } as const;
export const RESOURCE_ID = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } as const;
export const NAME = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]*$' } as const;
/** Optional body of the rollout actions: no body, null, or `{reason}`. */
export const REASON_BODY = {
  type: ['object', 'null'], additionalProperties: false, properties: { reason: { type: 'string', maxLength: 200 } },
} as const;

/** Query numbers arrive as text; they are declared as such (no type coercion anywhere) and parsed here. */
export const PAGE_QUERY = {
  limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,3}|10000)$', description: '1-10000, default 100' },
  offset: { type: 'string', pattern: '^(?:0|[1-9][0-9]{0,8})$', description: 'default 0' },
} as const;

export function page(query: { limit?: string; offset?: string }): { limit: number; offset: number } {
  return { limit: query.limit === undefined ? 100 : Number(query.limit), offset: query.offset === undefined ? 0 : Number(query.offset) };
}

export const idParams = (id: object = RESOURCE_ID) => ({ type: 'object', properties: { id }, required: ['id'], additionalProperties: false }) as const;
export const shaParams = { type: 'object', properties: { sha256: SHA256 }, required: ['sha256'], additionalProperties: false } as const;
