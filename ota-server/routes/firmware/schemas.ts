import { BOARD, SHA256, errors, shaParams } from '../common.js';

export const FIRMWARE = {
  type: 'object',
  properties: {
    sha256: SHA256, version: { type: 'string' }, board: BOARD, securityVersion: { type: 'integer' }, size: { type: 'integer' },
    keyId: { type: 'string', description: 'trusted key that verified the manifest' },
    manifest: { type: 'string', description: 'the signed manifest (COSE_Sign1), base64' },
    createdAtMs: { type: 'integer' }, imageStoredAtMs: { type: ['integer', 'null'] },
    downloadPath: { type: 'string' },
  },
} as const;

export const addManifest = {
  tags: ['firmware'],
  summary: 'Register a signed manifest (verified against the trusted keys); upload the image next',
  body: {
    type: 'object', additionalProperties: false, required: ['manifest'],
    properties: { manifest: { type: 'string', minLength: 4, maxLength: 5464, pattern: '^[A-Za-z0-9+/]+={0,2}$', description: 'COSE_Sign1 bytes, base64' } },
  },
  response: {
    201: { type: 'object', properties: { firmware: FIRMWARE, uploadPath: { type: 'string' }, warnings: { type: 'array', items: { type: 'string' } } } },
    ...errors(400, 409, 422),
  },
} as const;

export const list = {
  tags: ['firmware'], summary: 'Firmware in the store',
  response: { 200: { type: 'object', properties: { firmware: { type: 'array', items: FIRMWARE } } }, ...errors() },
} as const;

export const get = {
  tags: ['firmware'], summary: 'One firmware\'s manifest fields', params: shaParams,
  response: { 200: FIRMWARE, ...errors(404) },
} as const;

export const upload = {
  tags: ['firmware'],
  summary: 'Upload the image of a registered manifest (application/octet-stream); refused unless size and SHA-256 match',
  params: shaParams,
  response: { 200: FIRMWARE, ...errors(404, 413, 415, 422) },
} as const;

export const download = {
  tags: ['firmware'],
  summary: 'Download an image, with Range, If-Range, ETag and If-None-Match (viewer, or a device offered it)',
  description: 'ETag is `"<sha256>"` (strong). One range per request (`bytes=a-b`, `bytes=a-`, `bytes=-n`): 206 with Content-Range; '
    + 'outside the image: 416 with `Content-Range: bytes */size`; If-Range mismatch: the full image (200).',
  params: shaParams,
  headers: {
    type: 'object',
    properties: {
      range: { type: 'string', maxLength: 100 }, 'if-range': { type: 'string', maxLength: 100 }, 'if-none-match': { type: 'string', maxLength: 1000 },
    },
  },
  response: { 200: { type: 'string', format: 'binary' }, 206: { type: 'string', format: 'binary' }, 304: { type: 'null' }, ...errors(404, 409, 416) },
} as const;

export const remove = {
  tags: ['firmware'], summary: 'Delete firmware not used by an active or paused rollout', params: shaParams,
  response: { 204: { type: 'null' }, ...errors(404, 409) },
} as const;
