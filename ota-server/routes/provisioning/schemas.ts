import { PROVISION_REQUEST_MAX_BYTES } from '../../core.js';
import { DEVICE_ID, errors } from '../common.js';

export const REQUEST_MAX_BYTES = PROVISION_REQUEST_MAX_BYTES;

const REQUEST = {
  type: 'object', additionalProperties: false, required: ['deviceId', 'claimSecret'],
  properties: { deviceId: DEVICE_ID, claimSecret: { type: 'string', minLength: 8, maxLength: 128, pattern: '^[!-~]+$' } },
} as const;

const ANSWER = {
  type: 'object',
  properties: {
    deviceToken: { type: 'string', description: 'bearer token for check-in and firmware download' },
    mqtt: {
      type: 'object',
      properties: {
        username: { type: 'string' }, password: { type: 'string' },
        brokers: { type: 'array', items: { type: 'object', properties: { host: { type: 'string' }, port: { type: 'integer' }, tls: { type: 'boolean' } } } },
        topicPrefix: { type: 'string' },
      },
    },
    config: { type: 'object', additionalProperties: true },
    serverTimeMs: { type: 'integer' },
  },
} as const;

export const provision = {
  tags: ['provisioning'],
  summary: 'Exchange a one-time claim secret for a device token, MQTT credentials and config',
  description: 'CBOR (`application/cbor`) or JSON; the answer is in the format `Accept` names. Shapes: firmware/messages/provision.ts. '
    + 'A claim is usable once: a second exchange is 403 ERR_CLAIM_USED, a wrong one 401 ERR_CLAIM_INVALID.',
  security: [],
  body: { content: { 'application/cbor': { schema: REQUEST }, 'application/json': { schema: REQUEST } } },
  response: { 200: { content: { 'application/cbor': { schema: ANSWER }, 'application/json': { schema: ANSWER } } }, ...errors(400, 413, 415) },
} as const;
