/**
 * COSE_Sign1 (RFC 9052 section 4.2) with EdDSA over Ed25519 (RFC 9053 section 2.2, alg -8),
 * the envelope of the signed firmware manifest. Only what the manifest needs: one signer,
 * attached payload, empty external_aad, protected header {1: -8}, optional kid (label 4) in the
 * unprotected header. Verification rebuilds Sig_structure from the protected bytes as received
 * (RFC 9052 section 4.4), never from a re-encoding of the decoded header.
 *
 * The private key never enters this module: signing takes a callback, so tools keep the key.
 */
import { equalBytes } from '../codec/bytes.js';
import { decode, encode, Tagged } from '../codec/cbor.js';
import { FirmwareError } from '../errors.js';
import type { CryptoPort } from '../ports/crypto.js';

/** RFC 9052 section 2: CBOR tag of COSE_Sign1. */
export const COSE_SIGN1_TAG = 18;
/** RFC 9052 section 3.1 header labels. */
export const HEADER_ALG = 1;
export const HEADER_CRIT = 2;
export const HEADER_KID = 4;
/** RFC 9053 section 2.2: EdDSA. */
export const ALG_EDDSA = -8;
export const ED25519_SIGNATURE_LENGTH = 64;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
/** Our key id: the first 8 bytes of SHA-256(public key); a hint that picks the key to try. */
export const KID_LENGTH = 8;

const EMPTY = new Uint8Array(0);

/** Produces the 64-byte Ed25519 signature of the ToBeSigned bytes (held by the signing tool). */
export type SignFunction = (toBeSigned: Uint8Array) => Uint8Array;

export interface CoseSign1 {
  /** The protected header bstr exactly as received (or produced). */
  protectedBytes: Uint8Array;
  alg: number;
  kid: Uint8Array | undefined;
  payload: Uint8Array;
  signature: Uint8Array;
}

function malformed(detail: string): FirmwareError {
  return new FirmwareError('ERR_OTA_MANIFEST_MALFORMED', detail);
}

/** Sig_structure for COSE_Sign1 (RFC 9052 section 4.4): the bytes that are signed. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = EMPTY): Uint8Array {
  return encode(['Signature1', protectedBytes, externalAad, payload]);
}

/** kid of a public key (our convention, documented in docs/ota.md). */
export function keyId(publicKey: Uint8Array, crypto: CryptoPort): Uint8Array {
  const h = crypto.sha256();
  h.update(publicKey);
  return h.digest().slice(0, KID_LENGTH);
}

/** Builds a tagged COSE_Sign1 with protected {1: -8} and, if given, kid in the unprotected map. */
export function signCoseSign1(payload: Uint8Array, sign: SignFunction, options: { kid?: Uint8Array } = {}): Uint8Array {
  const protectedBytes = encode(new Map<number, unknown>([[HEADER_ALG, ALG_EDDSA]]));
  const signature = sign(sigStructure(protectedBytes, payload));
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_LENGTH) {
    throw malformed('signer returned no 64-byte signature');
  }
  const unprotected = new Map<number, unknown>();
  if (options.kid !== undefined) unprotected.set(HEADER_KID, options.kid);
  return encode(new Tagged(COSE_SIGN1_TAG, [protectedBytes, unprotected, payload, signature]));
}

/**
 * A decoded CBOR map as a Map. firmware/codec/cbor.ts returns a Map when any key is not text and
 * a plain object otherwise (so the empty map is {}); both are accepted here.
 */
export function cborMap(value: unknown): Map<unknown, unknown> | undefined {
  if (value instanceof Map) return value;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return new Map(Object.entries(value));
  }
  return undefined;
}

function mapEntries(value: unknown, what: string): Array<[unknown, unknown]> {
  const map = cborMap(value);
  if (map === undefined) throw malformed(`${what} is not a map`);
  return [...map.entries()];
}

function headerMap(value: unknown, what: string): Map<number, unknown> {
  const out = new Map<number, unknown>();
  for (const [label, v] of mapEntries(value, what)) {
    // RFC 9052 section 3: labels are int or tstr; we understand only int labels, and text labels
    // are ignored unless marked critical (which we refuse below).
    if (typeof label === 'number') {
      if (out.has(label)) throw malformed(`${what} repeats label ${label}`); // RFC 9052 section 3: reject duplicates
      out.set(label, v);
    } else if (typeof label !== 'string') {
      throw malformed(`${what} has a label that is neither int nor text`);
    }
  }
  return out;
}

/** Parses a tagged COSE_Sign1 carrying an EdDSA signature; throws ERR_OTA_MANIFEST_MALFORMED. */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  let item: unknown;
  try {
    item = decode(bytes);
  } catch (error) {
    throw malformed(`envelope is not CBOR (${error instanceof FirmwareError ? error.code : 'decode error'})`);
  }
  if (!(item instanceof Tagged) || Number(item.tag) !== COSE_SIGN1_TAG) throw malformed('not a COSE_Sign1 (tag 18)');
  const body = item.value;
  if (!Array.isArray(body) || body.length !== 4) throw malformed('COSE_Sign1 is not an array of 4');
  const [protectedBytes, unprotectedValue, payload, signature] = body as [unknown, unknown, unknown, unknown];
  if (!(protectedBytes instanceof Uint8Array)) throw malformed('protected header is not a byte string');
  if (!(payload instanceof Uint8Array)) throw malformed('payload is not an attached byte string');
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_LENGTH) {
    throw malformed('signature is not 64 bytes');
  }
  // RFC 9052 section 3: an empty protected header may be h'' (or h'a0'); ours must carry alg.
  let protectedHeader: Map<number, unknown>;
  try {
    protectedHeader = protectedBytes.length === 0 ? new Map() : headerMap(decode(protectedBytes), 'protected header');
  } catch (error) {
    if (error instanceof FirmwareError && error.code === 'ERR_OTA_MANIFEST_MALFORMED') throw error;
    throw malformed('protected header is not CBOR');
  }
  const unprotected = headerMap(unprotectedValue, 'unprotected header');
  for (const label of unprotected.keys()) {
    if (protectedHeader.has(label)) throw malformed(`label ${label} is in both header buckets`);
  }
  // RFC 9052 section 3.1: we understand no extension header, so any crit list is fatal; alg must be protected.
  if (protectedHeader.has(HEADER_CRIT) || unprotected.has(HEADER_CRIT)) throw malformed('critical headers not understood');
  if (unprotected.has(HEADER_ALG)) throw malformed('alg must be in the protected header');
  const alg = protectedHeader.get(HEADER_ALG);
  if (alg !== ALG_EDDSA) throw malformed(`alg ${String(alg)} is not EdDSA (-8)`);
  const kid = protectedHeader.get(HEADER_KID) ?? unprotected.get(HEADER_KID);
  if (kid !== undefined && !(kid instanceof Uint8Array)) throw malformed('kid is not a byte string');
  return { protectedBytes, alg, kid, payload, signature };
}

/**
 * Verifies a parsed COSE_Sign1 against trusted Ed25519 public keys. With a kid, only the key
 * whose kid matches is tried, so a device pays for exactly one verification; without one, each
 * key is tried in turn. Returns the public key that verified, or undefined.
 */
export function verifyCoseSign1(message: CoseSign1, trustedKeys: readonly Uint8Array[], crypto: CryptoPort): Uint8Array | undefined {
  const toBeSigned = sigStructure(message.protectedBytes, message.payload);
  for (const key of trustedKeys) {
    if (key.length !== ED25519_PUBLIC_KEY_LENGTH) continue;
    if (message.kid !== undefined && !equalBytes(keyId(key, crypto), message.kid)) continue;
    if (crypto.verifyEd25519(message.signature, toBeSigned, key)) return key;
  }
  return undefined;
}
