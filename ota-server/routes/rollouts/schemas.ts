import { DEVICE_ROLLOUT_STATES, ROLLOUT_STATES } from '../../store/types.js';
import { BOARD, PAGE_QUERY, REASON_BODY, RESOURCE_ID, SHA256, TAGS, errors, idParams } from '../common.js';

const COUNTS = { type: 'object', properties: Object.fromEntries(DEVICE_ROLLOUT_STATES.map((s) => [s, { type: 'integer' }])) };

export const ROLLOUT = {
  type: 'object',
  properties: {
    id: { type: 'string' }, firmwareSha256: SHA256, board: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } },
    stages: { type: 'array', items: { type: 'number' } }, stageIndex: { type: 'integer' }, state: { type: 'string', enum: [...ROLLOUT_STATES] },
    failureThreshold: { type: 'number' }, minSample: { type: 'integer' }, soakMs: { type: ['integer', 'null'] },
    stageStartedAtMs: { type: 'integer' }, createdAtMs: { type: 'integer' }, updatedAtMs: { type: 'integer' }, stateReason: { type: ['string', 'null'] },
  },
} as const;

const STATUS = {
  type: 'object',
  properties: {
    ...ROLLOUT.properties, firmwareVersion: { type: 'string' }, stagePercent: { type: 'number' }, counts: COUNTS,
    attempted: { type: 'integer' }, failures: { type: 'integer' }, failureRate: { type: 'number' }, targeted: { type: 'integer' }, inCohort: { type: 'integer' },
  },
} as const;

export const create = {
  tags: ['rollouts'],
  summary: 'Start a staged rollout of a firmware to a target (board and tags)',
  description: 'Stages are fleet percentages, strictly increasing (e.g. [1, 5, 25, 100]). The rollout pauses itself when '
    + '(failed + rolled_back) / attempted > failureThreshold with attempted >= minSample. With soakSeconds it advances a stage '
    + 'after that long; otherwise by hand. One active or paused rollout per target.',
  body: {
    type: 'object', additionalProperties: false, required: ['firmwareSha256', 'stages', 'failureThreshold', 'minSample'],
    properties: {
      firmwareSha256: SHA256, board: BOARD, tags: TAGS,
      stages: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'number', exclusiveMinimum: 0, maximum: 100 } },
      failureThreshold: { type: 'number', minimum: 0, maximum: 1 },
      minSample: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      soakSeconds: { type: ['number', 'null'], minimum: 0, maximum: 31_536_000 },
    },
  },
  response: { 201: ROLLOUT, ...errors(400, 409) },
} as const;

export const list = {
  tags: ['rollouts'], summary: 'Rollouts, optionally by state',
  querystring: { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: [...ROLLOUT_STATES] } } },
  response: { 200: { type: 'object', properties: { rollouts: { type: 'array', items: ROLLOUT } } }, ...errors(400) },
} as const;

export const status = {
  tags: ['rollouts'], summary: 'A rollout with its per-device state counts, failure rate and cohort size', params: idParams(RESOURCE_ID),
  response: { 200: STATUS, ...errors(404) },
} as const;

export const devices = {
  tags: ['rollouts'], summary: 'Per-device states of a rollout', params: idParams(RESOURCE_ID),
  querystring: { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: [...DEVICE_ROLLOUT_STATES] }, ...PAGE_QUERY } },
  response: {
    200: {
      type: 'object',
      properties: {
        devices: {
          type: 'array',
          items: { type: 'object', properties: { deviceId: { type: 'string' }, state: { type: 'string' }, reason: { type: ['string', 'null'] }, offeredAtMs: { type: 'integer' }, updatedAtMs: { type: 'integer' } } },
        },
      },
    },
    ...errors(400, 404),
  },
} as const;

export const action = (summary: string) => ({
  tags: ['rollouts'], summary, params: idParams(RESOURCE_ID), body: REASON_BODY,
  response: { 200: ROLLOUT, ...errors(400, 404, 409) },
}) as const;
