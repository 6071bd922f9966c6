/**
 * Coded errors of the OTA server: one table (style item 6, as Fastify's lib/errors.js).
 * Every error answer is `{ statusCode, code, error, message }`; `code` is from this table or,
 * for refused device messages and manifests, the firmware core's code (ERR_MESSAGE_INVALID,
 * ERR_CBOR_*, ERR_OTA_MANIFEST_*, ERR_CONFIG_INVALID), so server logs and device logs match on codes.
 * docs/server.md lists every code (test/server/errors.test.ts checks). Never reuse a code.
 */
export const SERVER_ERRORS = {
  ERR_AUTH_REQUIRED: [401, 'a bearer token is required'],
  ERR_AUTH_INVALID: [401, 'the token is unknown or revoked'],
  ERR_FORBIDDEN: [403, 'the token may not use this route'],
  ERR_NOT_FOUND: [404, 'no such resource'],
  ERR_VALIDATION: [400, 'the request does not match the route schema'],
  ERR_BODY_MALFORMED: [400, 'the body cannot be parsed'],
  ERR_BODY_TOO_LARGE: [413, 'the body exceeds the route limit'],
  ERR_MEDIA_TYPE: [415, 'unsupported content type'],
  ERR_RATE_LIMITED: [429, 'too many requests for this token'],
  ERR_DEVICE_MISMATCH: [400, 'the body names another device than the path'],
  ERR_DEVICE_EXISTS: [409, 'a device with this id exists'],
  ERR_CLAIM_INVALID: [401, 'unknown device or wrong claim secret'],
  ERR_CLAIM_USED: [403, 'this claim secret was already exchanged'],
  ERR_KEY_INVALID: [400, 'not a usable Ed25519 public key'],
  ERR_KEY_EXISTS: [409, 'this key is already trusted'],
  ERR_MANIFEST_UNTRUSTED: [422, 'no trusted key verifies the manifest'],
  ERR_FIRMWARE_EXISTS: [409, 'firmware with this SHA-256 exists'],
  ERR_FIRMWARE_IN_USE: [409, 'an active or paused rollout uses this firmware'],
  ERR_IMAGE_MISMATCH: [422, 'the image does not match its manifest (size or SHA-256)'],
  ERR_IMAGE_TOO_LARGE: [413, 'the image is larger than this server accepts'],
  ERR_IMAGE_MISSING: [409, 'the firmware image has not been uploaded'],
  ERR_RANGE_NOT_SATISFIABLE: [416, 'the range is outside the image'],
  ERR_ROLLOUT_TARGET_BUSY: [409, 'an active or paused rollout already has this target'],
  ERR_ROLLOUT_STATE: [409, 'the rollout is not in a state that allows this'],
  ERR_ROLLOUT_INVALID: [400, 'the rollout definition is invalid'],
  ERR_INTERNAL: [500, 'internal error'],
} as const satisfies Record<string, readonly [number, string]>;

export type ServerErrorCode = keyof typeof SERVER_ERRORS;
export const RETIRED_SERVER_ERRORS: readonly string[] = [];

export class ServerError extends Error {
  readonly code: ServerErrorCode;
  readonly statusCode: number;
  constructor(code: ServerErrorCode, detail?: string) {
    const [status, text] = SERVER_ERRORS[code];
    super(detail === undefined ? text : `${text}: ${detail}`);
    this.code = code;
    this.statusCode = status;
  }
}
