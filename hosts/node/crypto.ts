/**
 * Node host CryptoPort over node:crypto (OpenSSL). Also exports the Ed25519 key helpers the
 * release tools use (signing never happens in firmware/ or on the server).
 */
import { createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { CryptoPort, Sha256 } from '../../firmware/index.js';

// RFC 8410 DER prefixes for raw Ed25519 keys (protocols.md section 7).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// y-coordinates (sign bit cleared) of the eight small-order points of edwards25519. noble's
// strict mode refuses such keys (as libsodium does); OpenSSL accepts them, so this host refuses
// them itself to keep the two implementations of the port identical (test/contract/crypto.ts).
const SMALL_ORDER_Y = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
];

/** True for a key noble's strict mode refuses before any curve arithmetic: small order or y >= p. */
export function isWeakEd25519Key(publicKey: Uint8Array): boolean {
  const y = Uint8Array.from(publicKey);
  y[31]! &= 0x7f;
  if (SMALL_ORDER_Y.includes(Buffer.from(y).toString('hex'))) return true;
  // RFC 8032 5.1.3: y must be below p = 2^255 - 19.
  if (y[31] !== 0x7f || y[0]! < 0xed) return false;
  for (let i = 1; i < 31; i++) if (y[i] !== 0xff) return false;
  return true;
}

export function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

export function ed25519PrivateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError('Ed25519 seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Raw 32-byte public key of a 32-byte seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  const der = createPublicKey(ed25519PrivateKeyObject(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
}

/** Deterministic RFC 8032 signature (tools only). */
export function ed25519Sign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, ed25519PrivateKeyObject(seed)));
}

export function createNodeCrypto(): CryptoPort {
  return {
    sha256(): Sha256 {
      const h = createHash('sha256');
      return {
        update(bytes: Uint8Array): void {
          h.update(bytes);
        },
        digest(): Uint8Array {
          return new Uint8Array(h.digest());
        },
      };
    },
    verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
      if (signature.length !== 64 || publicKey.length !== 32 || isWeakEd25519Key(publicKey)) return false;
      try {
        return nodeVerify(null, message, ed25519PublicKeyObject(publicKey), signature);
      } catch {
        return false; // undecodable public key
      }
    },
  };
}
