/**
 * The check-in message (design section 3 step 7, section 5): the one definition shared by the
 * device, the OTA server and the simulator. `POST /v1/devices/{id}/checkin` carries a
 * CheckInRequest as CBOR (RFC 8949, text-keyed map, `application/cbor`) or JSON
 * (`application/json`, same field names, bytes as base64); the answer comes back in the format
 * asked for by `Accept`. Field meanings and limits: docs/messages.md.
 *
 * Validation is strict where the reader must distrust the writer: the server refuses a request
 * with an unknown field, a wrong type or a value out of range (ERR_MESSAGE_INVALID, answered 400
 * with the reason). The device reads the answer strictly for the fields it knows but ignores
 * fields it does not, so a newer server never locks an older device out of its own updates.
 */
import type { BootState } from '../ports/firmware-slots.js';
import type { CheckInAnswer, DeviceStatus, UpdateOutcome } from '../node/steps.js';
import { decode, encode } from '../codec/cbor.js';
import type { KeyCache } from '../codec/key-cache.js';
import { fromBase64, toBase64 } from './base64.js';
import { aNumber, aObject, aOneOf, aString, anInteger, invalid, isPlainData, someBytes, type Fields } from './guards.js';
import { decodeBody, encodeBody, type MessageFormat } from './format.js';

export type { CheckInAnswer, UpdateOutcome };

/**
 * Device ids appear in MQTT topics and URL paths: no '/', '+', '#', spaces or escapes. The one
 * rule for the server, the messages and the node config.
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** Semantic-version-like: digits, letters, '.', '+', '-', '_'. */
export const FIRMWARE_VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}$/;
export const BOOT_STATES: readonly BootState[] = Object.freeze(['new', 'pending-verify', 'valid', 'invalid', 'aborted', 'undefined']);
export const UPDATE_OUTCOME_KINDS: readonly UpdateOutcome['kind'][] = Object.freeze(['succeeded', 'failed', 'rolled_back']);

/** Body size limits: the server's bodyLimit for the route, the device's answer buffer. */
export const CHECKIN_REQUEST_MAX_BYTES = 1024;
export const CHECKIN_ANSWER_MAX_BYTES = 16384;
export const MANIFEST_MAX_BYTES = 4096;

export interface CheckInRequest extends DeviceStatus {
  deviceId: string;
  /** The device's own wall clock (uncorrected UTC ms) when it sent this: the server may log the drift. */
  deviceTimeMs: number;
}

export type UpdateOffer = NonNullable<CheckInAnswer['update']>;

/** JSON shape of the answer: the manifest bytes as base64. */
export interface CheckInAnswerJson {
  serverTimeMs: number;
  config?: unknown;
  update?: { manifest: string; downloadPath: string; size?: number };
}

const REQUEST_FIELDS = ['deviceId', 'firmwareVersion', 'slot', 'bootState', 'batteryVolts', 'configVersion', 'updateOutcome', 'outbox', 'deviceTimeMs'];
const OUTBOX_FIELDS = ['records', 'bytes', 'dropped', 'thinned'];
const OUTCOME_FIELDS = ['kind', 'version', 'reason'];
const ANSWER_FIELDS = ['serverTimeMs', 'config', 'update'];
const OFFER_FIELDS = ['manifest', 'downloadPath', 'size'];

function anOutcome(value: unknown, path: string): UpdateOutcome {
  const o = aObject(value, path, OUTCOME_FIELDS, true);
  const kind = aOneOf(o.kind, `${path}.kind`, UPDATE_OUTCOME_KINDS);
  const version = aString(o.version, `${path}.version`, { max: 32, pattern: FIRMWARE_VERSION_PATTERN });
  if (kind === 'succeeded') {
    if (o.reason !== undefined) throw invalid(`${path}.reason`, 'not allowed when kind is succeeded');
    return { kind, version };
  }
  return { kind, version, reason: aString(o.reason, `${path}.reason`, { max: 200 }) };
}

/** Strict validator of a request as decoded from CBOR or JSON (the server calls it on every body). */
export function validateCheckIn(value: unknown): CheckInRequest {
  const o = aObject(value, '', REQUEST_FIELDS, true);
  const box = aObject(o.outbox, 'outbox', OUTBOX_FIELDS, true);
  const request: CheckInRequest = {
    deviceId: aString(o.deviceId, 'deviceId', { max: 64, pattern: DEVICE_ID_PATTERN }),
    firmwareVersion: aString(o.firmwareVersion, 'firmwareVersion', { max: 32, pattern: FIRMWARE_VERSION_PATTERN }),
    slot: anInteger(o.slot, 'slot', 0, 1) as 0 | 1,
    bootState: aOneOf(o.bootState, 'bootState', BOOT_STATES),
    batteryVolts: aNumber(o.batteryVolts, 'batteryVolts', 0, 10),
    configVersion: anInteger(o.configVersion, 'configVersion', 0),
    outbox: {
      records: anInteger(box.records, 'outbox.records', 0),
      bytes: anInteger(box.bytes, 'outbox.bytes', 0),
      dropped: anInteger(box.dropped, 'outbox.dropped', 0),
      thinned: anInteger(box.thinned, 'outbox.thinned', 0),
    },
    deviceTimeMs: anInteger(o.deviceTimeMs, 'deviceTimeMs', 0),
  };
  if (o.updateOutcome !== undefined) request.updateOutcome = anOutcome(o.updateOutcome, 'updateOutcome');
  return request;
}

function anOffer(value: unknown, manifest: (v: unknown, path: string) => Uint8Array): UpdateOffer {
  const o = aObject(value, 'update', OFFER_FIELDS, false);
  const offer: UpdateOffer = {
    manifest: manifest(o.manifest, 'update.manifest'),
    // A path on the check-in server, not a URL: the device keeps its own host and TLS settings.
    downloadPath: aString(o.downloadPath, 'update.downloadPath', { max: 256, pattern: /^\/[!-~]*$/ }),
  };
  if (o.size !== undefined && o.size !== null) offer.size = anInteger(o.size, 'update.size', 1, 0xffffffff);
  return offer;
}

function answerFrom(value: unknown, manifest: (v: unknown, path: string) => Uint8Array): CheckInAnswer {
  const o = aObject(value, '', ANSWER_FIELDS, false);
  const answer: CheckInAnswer = { serverTimeMs: anInteger(o.serverTimeMs, 'serverTimeMs', 0) };
  if (o.config !== undefined && o.config !== null) {
    aObject(o.config, 'config', [], false);
    // Content is checked by validateNodeConfig (firmware/node/config.ts) where it is applied.
    if (!isPlainData(o.config)) throw invalid('config', 'not plain data');
    answer.config = o.config;
  }
  if (o.update !== undefined && o.update !== null) answer.update = anOffer(o.update, manifest);
  return answer;
}

const manifestBytes = (v: unknown, path: string): Uint8Array => someBytes(v, path, 1, MANIFEST_MAX_BYTES);
const manifestBase64 = (v: unknown, path: string): Uint8Array =>
  manifestBytes(fromBase64(aString(v, path, { max: Math.ceil(MANIFEST_MAX_BYTES / 3) * 4 }), path), path);

/** Validator of an answer in its decoded CBOR shape (manifest as bytes). */
export function validateCheckInAnswer(value: unknown): CheckInAnswer {
  return answerFrom(value, manifestBytes);
}

// -- JSON shapes --------------------------------------------------------------------------

/** The request has no bytes: its JSON shape is itself. */
export function checkInToJson(request: CheckInRequest): CheckInRequest {
  return validateCheckIn(request);
}
export const checkInFromJson = validateCheckIn;

export function checkInAnswerToJson(answer: CheckInAnswer): CheckInAnswerJson {
  const a = validateCheckInAnswer(answer);
  const json: CheckInAnswerJson = { serverTimeMs: a.serverTimeMs };
  if (a.config !== undefined) json.config = a.config;
  if (a.update !== undefined) {
    json.update = { manifest: toBase64(a.update.manifest), downloadPath: a.update.downloadPath };
    if (a.update.size !== undefined) json.update.size = a.update.size;
  }
  return json;
}

export function checkInAnswerFromJson(value: unknown): CheckInAnswer {
  return answerFrom(value, manifestBase64);
}

// -- bytes ---------------------------------------------------------------------------------

function requestObject(request: CheckInRequest): Fields {
  const v = validateCheckIn(request);
  // Fixed key order: identical requests encode to identical bytes.
  const out: Fields = {
    deviceId: v.deviceId, firmwareVersion: v.firmwareVersion, slot: v.slot, bootState: v.bootState,
    batteryVolts: v.batteryVolts, configVersion: v.configVersion, outbox: v.outbox, deviceTimeMs: v.deviceTimeMs,
  };
  if (v.updateOutcome !== undefined) out.updateOutcome = v.updateOutcome;
  return out;
}

export function encodeCheckIn(request: CheckInRequest, format: MessageFormat = 'cbor'): Uint8Array {
  const object = requestObject(request);
  return format === 'cbor' ? encode(object) : encodeBody(object, 'json');
}

/**
 * Decodes and validates a request body; throws ERR_MESSAGE_INVALID or an ERR_CBOR_* code. A
 * reader of many check-ins (the server) passes one KeyCache to all of them.
 */
export function decodeCheckIn(bytes: Uint8Array, format: MessageFormat = 'cbor', keys?: KeyCache): CheckInRequest {
  if (bytes.length > CHECKIN_REQUEST_MAX_BYTES) throw invalid('', `body longer than ${CHECKIN_REQUEST_MAX_BYTES} bytes`);
  return validateCheckIn(format === 'cbor' ? decode(bytes, undefined, keys) : decodeBody(bytes, 'json'));
}

export function encodeCheckInAnswer(answer: CheckInAnswer, format: MessageFormat = 'cbor'): Uint8Array {
  if (format === 'json') return encodeBody(checkInAnswerToJson(answer), 'json');
  const a = validateCheckInAnswer(answer);
  const out: Fields = { serverTimeMs: a.serverTimeMs };
  if (a.config !== undefined) out.config = a.config;
  if (a.update !== undefined) {
    const offer: Fields = { manifest: a.update.manifest, downloadPath: a.update.downloadPath };
    if (a.update.size !== undefined) offer.size = a.update.size;
    out.update = offer;
  }
  return encode(out);
}

export function decodeCheckInAnswer(bytes: Uint8Array, format: MessageFormat = 'cbor'): CheckInAnswer {
  if (bytes.length > CHECKIN_ANSWER_MAX_BYTES) throw invalid('', `body longer than ${CHECKIN_ANSWER_MAX_BYTES} bytes`);
  return format === 'cbor' ? validateCheckInAnswer(decode(bytes)) : checkInAnswerFromJson(decodeBody(bytes, 'json'));
}
