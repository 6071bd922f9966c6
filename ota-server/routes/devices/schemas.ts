import { BOARD, DEVICE_ID, PAGE_QUERY, TAG, TAGS, errors, idParams } from '../common.js';

export const IMPORT_MAX_DEVICES = 10_000;

const STATUS = {
  type: ['object', 'null'],
  description: 'what the device said at its last check-in',
  properties: {
    firmwareVersion: { type: 'string' }, slot: { type: 'integer' }, bootState: { type: 'string' }, batteryVolts: { type: 'number' },
    configVersion: { type: 'integer' },
    outbox: { type: 'object', properties: { records: { type: 'integer' }, bytes: { type: 'integer' }, dropped: { type: 'integer' }, thinned: { type: 'integer' } } },
    lastOutcome: { type: 'object', properties: { kind: { type: 'string' }, version: { type: 'string' }, reason: { type: 'string' } } },
  },
} as const;

export const DEVICE = {
  type: 'object',
  properties: {
    id: { type: 'string' }, board: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, createdAtMs: { type: 'integer' },
    claimedAtMs: { type: ['integer', 'null'] }, lastSeenAtMs: { type: ['integer', 'null'] }, status: STATUS,
  },
} as const;

const REGISTRATION = {
  type: 'object', additionalProperties: false, required: ['id', 'board'],
  properties: { id: DEVICE_ID, board: BOARD, tags: TAGS },
} as const;

const REGISTERED = {
  type: 'object',
  properties: {
    id: { type: 'string' }, board: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } },
    claimSecret: { type: 'string', description: 'one-time claim secret, shown once; flash it into the device' },
  },
} as const;

export const register = {
  tags: ['devices'], summary: 'Register a device and generate its one-time claim secret',
  body: REGISTRATION,
  response: { 201: REGISTERED, ...errors(400, 409) },
} as const;

export const importDevices = {
  tags: ['devices'],
  summary: 'Register many devices at once, all or nothing',
  description: 'JSON `{"devices": [{id, board, tags?}, ...]}`, or `text/csv` with a header naming `id`, `board` and optionally `tags` (separated by `;`).',
  body: {
    type: 'object', additionalProperties: false, required: ['devices'],
    properties: { devices: { type: 'array', minItems: 1, maxItems: IMPORT_MAX_DEVICES, items: REGISTRATION } },
  },
  response: { 201: { type: 'object', properties: { devices: { type: 'array', items: REGISTERED } } }, ...errors(400, 409, 413, 415) },
} as const;

export const list = {
  tags: ['devices'], summary: 'List devices',
  querystring: { type: 'object', additionalProperties: false, properties: { board: BOARD, tag: TAG, ...PAGE_QUERY } },
  response: { 200: { type: 'object', properties: { devices: { type: 'array', items: DEVICE }, total: { type: 'integer', description: 'devices matching the filter, all pages' } } }, ...errors(400) },
} as const;

const ROLLOUT_STATE = {
  type: 'object',
  properties: { rolloutId: { type: 'string' }, state: { type: 'string' }, reason: { type: ['string', 'null'] }, offeredAtMs: { type: 'integer' }, updatedAtMs: { type: 'integer' } },
} as const;

export const get = {
  tags: ['devices'], summary: 'A device, with its state in every rollout that reached it', params: idParams(DEVICE_ID),
  response: { 200: { type: 'object', properties: { ...DEVICE.properties, rollouts: { type: 'array', items: ROLLOUT_STATE } } }, ...errors(404) },
} as const;

export const patch = {
  tags: ['devices'], summary: 'Change a device\'s tags (its targets and config follow at the next check-in)', params: idParams(DEVICE_ID),
  body: { type: 'object', additionalProperties: false, required: ['tags'], properties: { tags: TAGS } },
  response: { 200: DEVICE, ...errors(400, 404) },
} as const;

export const remove = {
  tags: ['devices'], summary: 'Delete a device and its rollout history; its token stops working', params: idParams(DEVICE_ID),
  response: { 204: { type: 'null' }, ...errors(404) },
} as const;

export const resetClaim = {
  tags: ['devices'], summary: 'Issue a new claim secret (re-provisioning); revokes the device token and MQTT password', params: idParams(DEVICE_ID),
  response: { 200: { type: 'object', properties: { id: { type: 'string' }, claimSecret: { type: 'string' } } }, ...errors(404) },
} as const;

export const deviceConfig = {
  tags: ['config'], summary: 'The config document a device receives (device itself, or viewer)', params: idParams(DEVICE_ID),
  response: {
    200: { type: 'object', properties: { scope: { type: 'string' }, version: { type: 'integer' }, document: { type: 'object', additionalProperties: true } } },
    ...errors(404),
  },
} as const;
