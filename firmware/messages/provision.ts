/**
 * The provisioning message (design section 5): on first boot a device exchanges its identity and
 * one-time claim secret for its own credentials. `POST /v1/provision` carries a ProvisionRequest
 * as CBOR or JSON (see checkin.ts for the conventions); the answer carries the device token (for
 * check-in and firmware download), the MQTT credentials and broker list, and optionally the
 * first config document and the server's time. Neither message carries bytes, so the JSON shape
 * is the message itself. Field meanings and limits: docs/messages.md.
 */
import { decode, encode } from '../codec/cbor.js';
import { aBoolean, aObject, aString, anArray, anInteger, invalid, isPlainData, type Fields } from './guards.js';
import { DEVICE_ID_PATTERN } from './checkin.js';
import { decodeBody, encodeBody, type MessageFormat } from './format.js';

export const PROVISION_REQUEST_MAX_BYTES = 512;
export const PROVISION_ANSWER_MAX_BYTES = 16384;
/** Secrets and tokens are printable ASCII without spaces (base64url, hex, or similar). */
export const SECRET_PATTERN = /^[!-~]+$/;
/** Host names (RFC 1123 labels) or IPv4/IPv6 literals. */
export const BROKER_HOST_PATTERN = /^[A-Za-z0-9.:_-]+$/;
/** MQTT topic prefix: topic levels without wildcards [MQTT-4.7.1-1]; no leading or trailing '/'. */
export const TOPIC_PREFIX_PATTERN = /^[^/+#\s]+(\/[^/+#\s]+)*$/;

export interface ProvisionRequest {
  deviceId: string;
  /** One-time claim secret shipped with the device; the server refuses a used one. */
  claimSecret: string;
}

export interface BrokerAddress {
  host: string;
  port: number;
  /** TLS with SNI = host; default false. */
  tls?: boolean;
}

export interface MqttCredentials {
  username: string;
  password: string;
  /** In order of preference; the device fails over down the list. */
  brokers: BrokerAddress[];
  /** Topics are `<topicPrefix>/<deviceId>/up` and `/status`; the device's default when absent. */
  topicPrefix?: string;
}

export interface ProvisionAnswer {
  /** Bearer token for check-in and firmware download. */
  deviceToken: string;
  mqtt: MqttCredentials;
  /** First config document, checked by validateNodeConfig on the device. */
  config?: unknown;
  /** Server time at answer (UTC ms): the first clock fix. */
  serverTimeMs?: number;
}

const REQUEST_FIELDS = ['deviceId', 'claimSecret'];
const ANSWER_FIELDS = ['deviceToken', 'mqtt', 'config', 'serverTimeMs'];
const MQTT_FIELDS = ['username', 'password', 'brokers', 'topicPrefix'];
const BROKER_FIELDS = ['host', 'port', 'tls'];

export function validateProvisionRequest(value: unknown): ProvisionRequest {
  const o = aObject(value, '', REQUEST_FIELDS, true);
  return {
    deviceId: aString(o.deviceId, 'deviceId', { max: 64, pattern: DEVICE_ID_PATTERN }),
    claimSecret: aString(o.claimSecret, 'claimSecret', { min: 8, max: 128, pattern: SECRET_PATTERN }),
  };
}

function aBroker(value: unknown, path: string): BrokerAddress {
  const o = aObject(value, path, BROKER_FIELDS, false);
  const broker: BrokerAddress = {
    host: aString(o.host, `${path}.host`, { max: 253, pattern: BROKER_HOST_PATTERN }),
    port: anInteger(o.port, `${path}.port`, 1, 65535),
  };
  if (o.tls !== undefined && o.tls !== null) broker.tls = aBoolean(o.tls, `${path}.tls`);
  return broker;
}

/** The device reads known fields strictly and ignores unknown ones (see checkin.ts). */
export function validateProvisionAnswer(value: unknown): ProvisionAnswer {
  const o = aObject(value, '', ANSWER_FIELDS, false);
  const m = aObject(o.mqtt, 'mqtt', MQTT_FIELDS, false);
  const mqtt: MqttCredentials = {
    username: aString(m.username, 'mqtt.username', { max: 128, pattern: SECRET_PATTERN }),
    password: aString(m.password, 'mqtt.password', { max: 256, pattern: SECRET_PATTERN }),
    brokers: anArray(m.brokers, 'mqtt.brokers', 1, 8).map((b, i) => aBroker(b, `mqtt.brokers.${i}`)),
  };
  if (m.topicPrefix !== undefined && m.topicPrefix !== null) {
    mqtt.topicPrefix = aString(m.topicPrefix, 'mqtt.topicPrefix', { max: 64, pattern: TOPIC_PREFIX_PATTERN });
  }
  const answer: ProvisionAnswer = {
    deviceToken: aString(o.deviceToken, 'deviceToken', { min: 16, max: 512, pattern: SECRET_PATTERN }),
    mqtt,
  };
  if (o.config !== undefined && o.config !== null) {
    aObject(o.config, 'config', [], false);
    if (!isPlainData(o.config)) throw invalid('config', 'not plain data');
    answer.config = o.config;
  }
  if (o.serverTimeMs !== undefined && o.serverTimeMs !== null) answer.serverTimeMs = anInteger(o.serverTimeMs, 'serverTimeMs', 0);
  return answer;
}

export function encodeProvisionRequest(request: ProvisionRequest, format: MessageFormat = 'cbor'): Uint8Array {
  const v = validateProvisionRequest(request);
  const object: Fields = { deviceId: v.deviceId, claimSecret: v.claimSecret };
  return format === 'cbor' ? encode(object) : encodeBody(object, 'json');
}

export function decodeProvisionRequest(bytes: Uint8Array, format: MessageFormat = 'cbor'): ProvisionRequest {
  if (bytes.length > PROVISION_REQUEST_MAX_BYTES) throw invalid('', `body longer than ${PROVISION_REQUEST_MAX_BYTES} bytes`);
  return validateProvisionRequest(format === 'cbor' ? decode(bytes) : decodeBody(bytes, 'json'));
}

export function encodeProvisionAnswer(answer: ProvisionAnswer, format: MessageFormat = 'cbor'): Uint8Array {
  const v = validateProvisionAnswer(answer);
  const mqtt: Fields = { username: v.mqtt.username, password: v.mqtt.password, brokers: v.mqtt.brokers };
  if (v.mqtt.topicPrefix !== undefined) mqtt.topicPrefix = v.mqtt.topicPrefix;
  const object: Fields = { deviceToken: v.deviceToken, mqtt };
  if (v.config !== undefined) object.config = v.config;
  if (v.serverTimeMs !== undefined) object.serverTimeMs = v.serverTimeMs;
  return format === 'cbor' ? encode(object) : encodeBody(object, 'json');
}

export function decodeProvisionAnswer(bytes: Uint8Array, format: MessageFormat = 'cbor'): ProvisionAnswer {
  if (bytes.length > PROVISION_ANSWER_MAX_BYTES) throw invalid('', `body longer than ${PROVISION_ANSWER_MAX_BYTES} bytes`);
  return validateProvisionAnswer(format === 'cbor' ? decode(bytes) : decodeBody(bytes, 'json'));
}
