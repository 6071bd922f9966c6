import { DEVICE_ID, PAGE_QUERY, TAG, errors } from '../common.js';

const RECORD = {
  type: 'object',
  properties: { scope: { type: 'string' }, version: { type: 'integer' }, document: { type: 'object', additionalProperties: true }, updatedAtMs: { type: 'integer' } },
} as const;

export const SCOPES = {
  fleet: { params: undefined, label: 'the whole fleet' },
  tag: { params: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: TAG } }, label: 'devices with a tag' },
  device: { params: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: DEVICE_ID } }, label: 'one device' },
} as const;

export type ScopeKind = keyof typeof SCOPES;

export const listAll = {
  tags: ['config'], summary: 'Every config document in force',
  response: { 200: { type: 'object', properties: { configs: { type: 'array', items: RECORD } } }, ...errors() },
} as const;

export const get = (kind: ScopeKind) => ({
  tags: ['config'], summary: `Config document for ${SCOPES[kind].label}`,
  ...(SCOPES[kind].params === undefined ? {} : { params: SCOPES[kind].params }),
  response: { 200: RECORD, ...errors(400, 404) },
});

export const put = (kind: ScopeKind) => ({
  tags: ['config'],
  summary: `Set the config document for ${SCOPES[kind].label} (a new version)`,
  description: 'A NodeConfig without deviceId and version (the server fills both in), checked by the firmware\'s validateNodeConfig. '
    + 'Precedence at check-in: device, then the newest document among the device\'s tags, then fleet.',
  ...(SCOPES[kind].params === undefined ? {} : { params: SCOPES[kind].params }),
  body: { type: 'object', additionalProperties: true, maxProperties: 64 },
  response: { 200: RECORD, ...errors(400, 413) },
});

export const remove = (kind: ScopeKind) => ({
  tags: ['config'], summary: `Delete the config document for ${SCOPES[kind].label}`,
  ...(SCOPES[kind].params === undefined ? {} : { params: SCOPES[kind].params }),
  response: { 204: { type: 'null' }, ...errors(400, 404) },
});

export const history = (kind: ScopeKind) => ({
  tags: ['config'], summary: `Versions of the config document for ${SCOPES[kind].label}, newest first (null document = deleted)`,
  ...(SCOPES[kind].params === undefined ? {} : { params: SCOPES[kind].params }),
  querystring: { type: 'object', additionalProperties: false, properties: { limit: PAGE_QUERY.limit } },
  response: {
    200: {
      type: 'object',
      properties: {
        versions: {
          type: 'array',
          items: { type: 'object', properties: { version: { type: 'integer' }, scope: { type: 'string' }, document: { type: ['object', 'null'], additionalProperties: true }, createdAtMs: { type: 'integer' } } },
        },
      },
    },
    ...errors(400),
  },
});
