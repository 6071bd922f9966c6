/**
 * The signed firmware manifest: one definition shared by the device, the OTA server and the
 * signing tools (design section 4, docs/ota.md).
 *
 * Payload: a deterministic CBOR map (RFC 8949 section 4.2.1) with small integer keys:
 *
 * | key | field            | CBOR type           | rule                                       |
 * |-----|------------------|---------------------|--------------------------------------------|
 * | 0   | format           | uint                | 1 (this layout)                            |
 * | 1   | version          | text                | semver 2.0.0, at most 32 bytes             |
 * | 2   | securityVersion  | uint                | anti-rollback counter, 0..2^32-1           |
 * | 3   | board            | text                | board id, 1..64 bytes                      |
 * | 4   | size             | uint                | image bytes, 1..2^32-1                     |
 * | 5   | sha256           | bstr                | 32 bytes, SHA-256 of the image             |
 * | 6   | path             | text                | download path, 1..256 bytes, no controls   |
 * | 7   | minBatteryVolts  | uint (millivolts)   | optional, 0..65535 mV                      |
 *
 * Unknown keys are refused: the device must understand every signed field it is given.
 * Envelope: COSE_Sign1 (tag 18), protected {1: -8}, optional kid (see cose.ts).
 */
import { decode, encode } from '../codec/cbor.js';
import { FirmwareError } from '../errors.js';
import type { CryptoPort } from '../ports/crypto.js';
import { cborMap, parseCoseSign1, signCoseSign1, verifyCoseSign1, type CoseSign1, type SignFunction } from './cose.js';

export const MANIFEST_FORMAT = 1;
export const MANIFEST_KEY = Object.freeze({
  format: 0,
  version: 1,
  securityVersion: 2,
  board: 3,
  size: 4,
  sha256: 5,
  path: 6,
  minBatteryMillivolts: 7,
} as const);

export interface FirmwareManifest {
  version: string;
  securityVersion: number;
  board: string;
  size: number;
  sha256: Uint8Array;
  path: string;
  /** Do not start an update below this battery voltage (carried as whole millivolts). */
  minBatteryVolts?: number;
}

export interface SignedManifest {
  manifest: FirmwareManifest;
  /** The manifest's CBOR payload bytes as signed. */
  payload: Uint8Array;
  envelope: CoseSign1;
}

// semver.org 2.0.0 grammar (numeric identifiers without leading zeros).
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const UINT32_MAX = 0xffffffff;

function malformed(detail: string): FirmwareError {
  return new FirmwareError('ERR_OTA_MANIFEST_MALFORMED', detail);
}

function isUint(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

function checkText(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== 'string') throw malformed(`${field} is not text`);
  // Length limits count UTF-16 units here; every allowed character of these fields is ASCII
  // in practice, and the limits only guard memory.
  if (value.length < min || value.length > max) throw malformed(`${field} length out of range`);
  if (CONTROL.test(value)) throw malformed(`${field} has control characters`);
  return value;
}

/** Checks every field; throws ERR_OTA_MANIFEST_MALFORMED naming the first bad one. */
export function validateManifest(m: FirmwareManifest): FirmwareManifest {
  checkText(m.version, 'version', 5, 32);
  if (!SEMVER.test(m.version)) throw malformed('version is not semver');
  if (!isUint(m.securityVersion, UINT32_MAX)) throw malformed('securityVersion is not a uint32');
  checkText(m.board, 'board', 1, 64);
  if (!isUint(m.size, UINT32_MAX) || m.size === 0) throw malformed('size is not a positive uint32');
  if (!(m.sha256 instanceof Uint8Array) || m.sha256.length !== 32) throw malformed('sha256 is not 32 bytes');
  checkText(m.path, 'path', 1, 256);
  if (m.minBatteryVolts !== undefined) {
    if (typeof m.minBatteryVolts !== 'number' || !isUint(Math.round(m.minBatteryVolts * 1000), 0xffff)) {
      throw malformed('minBatteryVolts out of range');
    }
  }
  return m;
}

/** The manifest's deterministic CBOR payload. */
export function encodeManifest(manifest: FirmwareManifest): Uint8Array {
  const m = validateManifest(manifest);
  const map = new Map<number, unknown>([
    [MANIFEST_KEY.format, MANIFEST_FORMAT],
    [MANIFEST_KEY.version, m.version],
    [MANIFEST_KEY.securityVersion, m.securityVersion],
    [MANIFEST_KEY.board, m.board],
    [MANIFEST_KEY.size, m.size],
    [MANIFEST_KEY.sha256, m.sha256],
    [MANIFEST_KEY.path, m.path],
  ]);
  if (m.minBatteryVolts !== undefined) map.set(MANIFEST_KEY.minBatteryMillivolts, Math.round(m.minBatteryVolts * 1000));
  return encode(map);
}

/** Decodes and validates a manifest payload; throws ERR_OTA_MANIFEST_MALFORMED. */
export function decodeManifest(payload: Uint8Array): FirmwareManifest {
  let item: unknown;
  try {
    item = decode(payload);
  } catch (error) {
    throw malformed(`payload is not CBOR (${error instanceof FirmwareError ? error.code : 'decode error'})`);
  }
  const map = cborMap(item);
  if (map === undefined) throw malformed('payload is not a map');
  const known = new Set<unknown>(Object.values(MANIFEST_KEY));
  for (const key of map.keys()) if (!known.has(key)) throw malformed(`unknown key ${String(key)}`);
  const format = map.get(MANIFEST_KEY.format);
  if (format !== MANIFEST_FORMAT) throw malformed(`format ${String(format)} is not ${MANIFEST_FORMAT}`);
  const mv = map.get(MANIFEST_KEY.minBatteryMillivolts);
  if (mv !== undefined && !isUint(mv, 0xffff)) throw malformed('minBatteryVolts is not a millivolt uint16');
  const manifest: FirmwareManifest = {
    version: map.get(MANIFEST_KEY.version) as string,
    securityVersion: map.get(MANIFEST_KEY.securityVersion) as number,
    board: map.get(MANIFEST_KEY.board) as string,
    size: map.get(MANIFEST_KEY.size) as number,
    sha256: map.get(MANIFEST_KEY.sha256) as Uint8Array,
    path: map.get(MANIFEST_KEY.path) as string,
  };
  if (mv !== undefined) manifest.minBatteryVolts = (mv as number) / 1000;
  return validateManifest(manifest);
}

/** Signs a manifest; `sign` holds the key (tools), so no private key reaches firmware or server. */
export function signManifest(manifest: FirmwareManifest, sign: SignFunction, options: { kid?: Uint8Array } = {}): Uint8Array {
  return signCoseSign1(encodeManifest(manifest), sign, options);
}

/** Parses without verifying (server inspection, tools); throws ERR_OTA_MANIFEST_MALFORMED. */
export function parseSignedManifest(bytes: Uint8Array): SignedManifest {
  const envelope = parseCoseSign1(bytes);
  return { manifest: decodeManifest(envelope.payload), payload: envelope.payload, envelope };
}

/**
 * Parses the envelope, verifies the signature against the trusted keys, and only then reads the
 * payload. Throws ERR_OTA_MANIFEST_MALFORMED or ERR_OTA_MANIFEST_SIGNATURE.
 */
export function verifySignedManifest(bytes: Uint8Array, trustedKeys: readonly Uint8Array[], crypto: CryptoPort): SignedManifest {
  const envelope = parseCoseSign1(bytes);
  if (verifyCoseSign1(envelope, trustedKeys, crypto) === undefined) {
    throw new FirmwareError('ERR_OTA_MANIFEST_SIGNATURE', envelope.kid === undefined ? 'no trusted key verifies' : 'kid unknown or signature bad');
  }
  return { manifest: decodeManifest(envelope.payload), payload: envelope.payload, envelope };
}

/** SHA-256 of the signed envelope: identifies an offer in saved download progress. */
export function manifestDigest(bytes: Uint8Array, crypto: CryptoPort): Uint8Array {
  const h = crypto.sha256();
  h.update(bytes);
  return h.digest();
}
