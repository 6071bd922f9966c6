/**
 * The check-in body as JSON Schema, for the OpenAPI description and a second check: the
 * firmware validator (firmware/messages/checkin.ts) has already refused anything outside it.
 */
import { BOOT_STATES, CHECKIN_REQUEST_MAX_BYTES, DEVICE_ID_PATTERN, FIRMWARE_VERSION_PATTERN, UPDATE_OUTCOME_KINDS } from '../../core.js';
import { DEVICE_ID, errors, idParams } from '../common.js';

export const REQUEST_MAX_BYTES = CHECKIN_REQUEST_MAX_BYTES;

/** The route under /v1, and the whole template as metrics and logs name it. */
export const PATH = '/devices/:id/checkin';
export const ROUTE = `/v1${PATH}`;

const COUNT = { type: 'integer', minimum: 0 } as const;
const VERSION = { type: 'string', pattern: FIRMWARE_VERSION_PATTERN.source, maxLength: 32 } as const;

export const REQUEST = {
  type: 'object', additionalProperties: false,
  required: ['deviceId', 'firmwareVersion', 'slot', 'bootState', 'batteryVolts', 'configVersion', 'outbox', 'deviceTimeMs'],
  properties: {
    deviceId: { type: 'string', pattern: DEVICE_ID_PATTERN.source, maxLength: 64 },
    firmwareVersion: VERSION,
    slot: { type: 'integer', enum: [0, 1] },
    bootState: { type: 'string', enum: [...BOOT_STATES] },
    batteryVolts: { type: 'number', minimum: 0, maximum: 10 },
    configVersion: COUNT,
    outbox: {
      type: 'object', additionalProperties: false, required: ['records', 'bytes', 'dropped', 'thinned'],
      properties: { records: COUNT, bytes: COUNT, dropped: COUNT, thinned: COUNT },
    },
    updateOutcome: {
      type: 'object', additionalProperties: false, required: ['kind', 'version'],
      properties: { kind: { type: 'string', enum: [...UPDATE_OUTCOME_KINDS] }, version: VERSION, reason: { type: 'string', maxLength: 200 } },
    },
    deviceTimeMs: COUNT,
  },
} as const;

const ANSWER = {
  type: 'object',
  properties: {
    serverTimeMs: { type: 'integer' },
    config: { type: 'object', additionalProperties: true, description: 'present when the device\'s configVersion differs' },
    update: {
      type: 'object',
      properties: {
        manifest: { type: 'string', description: 'COSE_Sign1 signed manifest: bytes in CBOR, base64 in JSON' },
        downloadPath: { type: 'string' }, size: { type: 'integer' },
      },
    },
  },
} as const;

export const checkIn = {
  tags: ['devices'],
  summary: 'Device check-in: report status and outcomes; get time, config and update offer',
  description: 'Device token of device {id}. CBOR (`application/cbor`) or JSON body, at most '
    + `${CHECKIN_REQUEST_MAX_BYTES} bytes; answer in the format \`Accept\` names. Shapes: firmware/messages/checkin.ts.`,
  params: idParams(DEVICE_ID),
  body: { content: { 'application/cbor': { schema: REQUEST }, 'application/json': { schema: REQUEST } } },
  response: { 200: { content: { 'application/cbor': { schema: ANSWER }, 'application/json': { schema: ANSWER } } }, ...errors(400, 413, 415) },
} as const;
