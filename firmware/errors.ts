/**
 * Coded errors of the firmware core: one table, as Fastify's lib/errors.js. Logs, the
 * simulator and the server match on codes, never on message text. A retired code is never
 * reused: move it to RETIRED_CODES instead of deleting it. docs/errors.md lists every code
 * (a test checks that).
 *
 * XS note: Error.prototype.name is frozen after preload, so FirmwareError never assigns `name`.
 */
export const ERROR_CODES = {
  // codec
  ERR_CBOR_TRUNCATED: 'CBOR input ends inside an item',
  ERR_CBOR_RESERVED: 'CBOR reserved additional information (28-30) or misplaced indefinite length',
  ERR_CBOR_BREAK: 'CBOR break code where no indefinite item is open',
  ERR_CBOR_DEPTH: 'CBOR nesting deeper than the limit',
  ERR_CBOR_LENGTH: 'CBOR length beyond the limit',
  ERR_CBOR_TRAILING: 'bytes left after the CBOR item',
  ERR_CBOR_UTF8: 'invalid UTF-8 in a CBOR text string',
  ERR_CBOR_SIMPLE: 'invalid two-byte CBOR simple value',
  ERR_CBOR_CHUNK: 'indefinite-length string chunk of the wrong type',
  ERR_CBOR_DUPLICATE_KEY: 'duplicate key in a CBOR map',
  ERR_CBOR_UNSUPPORTED: 'value cannot be encoded as CBOR',
  ERR_UTF8: 'invalid UTF-8 bytes, or a string with a lone surrogate',
  ERR_ARGUMENT: 'argument of the wrong type or range for a core function',
  ERR_SENML_INVALID: 'malformed SenML pack',
  ERR_SENML_VERSION: 'unsupported SenML base version',
  ERR_SENML_MUST_UNDERSTAND: 'SenML label ending in "_" not understood',
  // state and config
  ERR_STATE_CORRUPT: 'saved state record is malformed',
  ERR_RETAINED_TOO_LARGE: 'retained record exceeds retained memory',
  ERR_CONFIG_INVALID: 'node configuration is invalid',
  ERR_PORT_MISSING: 'a required port is missing or incomplete',
  ERR_KV_KEY: 'kv key is not 1-15 characters of [A-Za-z0-9_.-]',
  // transport
  ERR_SOCKET_TLS_UNSUPPORTED: 'this host has no TLS sockets',
  ERR_SOCKET_CLOSED: 'socket closed',
  ERR_SOCKET_CONNECT: 'socket could not connect',
  ERR_SOCKET_NOT_CONNECTED: 'socket write before the connection is up',
  ERR_SOCKET_OVERFLOW: 'socket write exceeds the writable bytes',
  ERR_DNS: 'host name could not be resolved',
  ERR_MQTT_PROTOCOL: 'MQTT protocol violation',
  ERR_MQTT_CONNACK_REFUSED: 'MQTT broker refused the connection',
  ERR_MQTT_TIMEOUT: 'MQTT operation timed out',
  ERR_MQTT_TOPIC: 'invalid MQTT topic name or filter',
  ERR_MQTT_INFLIGHT_FULL: 'MQTT in-flight window is full',
  ERR_MQTT_SUBSCRIBE_REFUSED: 'MQTT broker refused a subscription',
  ERR_MQTT_CLOSED: 'MQTT link closed before the operation completed',
  ERR_MQTT_STATUS_INVALID: 'MQTT status payload is malformed',
  ERR_OUTBOX_FULL: 'outbox full: record dropped',
  ERR_OUTBOX_CORRUPT: 'outbox store record is corrupt',
  ERR_OUTBOX_RECORD: 'outbox record is empty or larger than the store accepts',
  ERR_HTTP_TIMEOUT: 'HTTP request timed out',
  ERR_HTTP_HEADERS_TOO_LARGE: 'HTTP response headers exceed the limit',
  ERR_HTTP_PROTOCOL: 'malformed HTTP response',
  ERR_HTTP_STATUS: 'unexpected HTTP status',
  ERR_HTTP_BODY_TOO_LARGE: 'HTTP response body exceeds the limit',
  ERR_HTTP_RANGE: 'HTTP range answer does not match the request',
  ERR_PROVISION_REFUSED: 'provisioning refused by the server',
  ERR_DEADLINE: 'awake deadline reached',
  ERR_MESSAGE_INVALID: 'malformed check-in or provisioning message',
  // OTA
  ERR_OTA_MANIFEST_MALFORMED: 'firmware manifest is malformed',
  ERR_OTA_MANIFEST_SIGNATURE: 'firmware manifest signature does not verify',
  ERR_OTA_BOARD: 'firmware is for another board',
  ERR_OTA_SECURITY_VERSION: 'firmware security version is below the device',
  ERR_OTA_SIZE: 'firmware does not fit the slot',
  ERR_OTA_BATTERY: 'battery below the update minimum',
  ERR_OTA_HASH: 'firmware SHA-256 does not match the manifest',
  ERR_OTA_DOWNLOAD: 'firmware download failed',
  ERR_OTA_HEALTH: 'new firmware failed its health check',
  ERR_OTA_CRASH_LOOP: 'new firmware restarted too often before passing its health check',
  ERR_FLASH_ALIGN: 'flash write or erase is not aligned',
  ERR_FLASH_NOT_ERASED: 'flash write would set bits that are not erased',
  ERR_FLASH_RANGE: 'flash access outside the partition',
  ERR_POWER_CUT: 'power cut (simulated)',
  ERR_OTA_TRUNCATED: 'firmware image is shorter than the manifest size',
  ERR_OTA_STATE: 'slot operation not allowed in the current boot state',
  ERR_OTA_ROLLBACK_FAILED: 'no other bootable slot to roll back to',
  ERR_KV_FULL: 'kv store full',
  // ESP32 host
  ERR_WIFI_JOIN: 'Wi-Fi did not join the access point before its deadline',
  ERR_SENSOR: 'sensor driver could not be opened',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes no longer raised; kept so they are never given a new meaning. */
export const RETIRED_CODES: readonly string[] = [];

export class FirmwareError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(code: ErrorCode, detail?: string, details?: Readonly<Record<string, unknown>>) {
    super(detail === undefined ? ERROR_CODES[code] : `${ERROR_CODES[code]}: ${detail}`);
    this.code = code;
    this.details = details;
  }
}

export function isFirmwareError(error: unknown, code?: ErrorCode): error is FirmwareError {
  return error instanceof FirmwareError && (code === undefined || error.code === code);
}
