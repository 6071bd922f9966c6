import { NAME, errors, idParams } from '../common.js';

export const KEY = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'COSE kid: first 8 bytes of SHA-256(public key), hex' }, name: { type: 'string' },
    publicKey: { type: 'string', description: 'raw Ed25519 public key, hex' }, createdAtMs: { type: 'integer' }, revokedAtMs: { type: ['integer', 'null'] },
  },
} as const;

export const addKey = {
  tags: ['keys'], summary: 'Trust a release signing key (public key only: the server never holds a private key)',
  body: {
    type: 'object', additionalProperties: false, required: ['name', 'publicKey'],
    properties: { name: NAME, publicKey: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } },
  },
  response: { 201: KEY, ...errors(400, 409) },
} as const;

export const listKeys = {
  tags: ['keys'], summary: 'Trusted keys', response: { 200: { type: 'object', properties: { keys: { type: 'array', items: KEY } } }, ...errors() },
} as const;

export const revokeKey = {
  tags: ['keys'], summary: 'Stop trusting a key for new uploads', params: idParams({ type: 'string', pattern: '^[0-9a-f]{16}$' }),
  response: { 204: { type: 'null' }, ...errors(404) },
} as const;
