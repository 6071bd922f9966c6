import { API_ROLES } from '../../store/types.js';
import { NAME, RESOURCE_ID, errors, idParams } from '../common.js';

export const TOKEN = {
  type: 'object',
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', enum: [...API_ROLES] },
    createdAtMs: { type: 'integer' }, revokedAtMs: { type: ['integer', 'null'] },
  },
} as const;

export const createToken = {
  tags: ['tokens'],
  summary: 'Create an API token (the secret is shown once)',
  body: {
    type: 'object', additionalProperties: false, required: ['name', 'role'],
    properties: { name: NAME, role: { type: 'string', enum: [...API_ROLES] } },
  },
  response: {
    201: { type: 'object', properties: { ...TOKEN.properties, token: { type: 'string', description: 'bearer secret; only its SHA-256 is stored' } } },
    ...errors(400),
  },
} as const;

export const listTokens = {
  tags: ['tokens'], summary: 'List API tokens (never their secrets)',
  response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: TOKEN } } }, ...errors() },
} as const;

export const revokeToken = {
  tags: ['tokens'], summary: 'Revoke an API token', params: idParams(RESOURCE_ID),
  response: { 204: { type: 'null' }, ...errors(404) },
} as const;

export const whoami = {
  tags: ['tokens'], summary: 'The caller\'s identity and role',
  response: { 200: { type: 'object', properties: { kind: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } } }, ...errors() },
} as const;
