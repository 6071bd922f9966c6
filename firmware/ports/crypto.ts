/**
 * Crypto: streamed SHA-256 and Ed25519 verification. Owned by the device OTA issue (#4).
 *
 * Verification only: signing happens in the release tools (tools/fw.ts), never on a device or
 * the server. Implementations: firmware/crypto/noble.ts (pure JS, any engine: XS on the device
 * and in xsnap, Node), hosts/node/crypto.ts (node:crypto). test/contract/crypto.ts holds both to
 * the same behaviour.
 */
export interface Sha256 {
  /** Feed more bytes; may be called any number of times before digest(). */
  update(bytes: Uint8Array): void;
  /** The 32-byte digest; the hasher must not be used afterwards. */
  digest(): Uint8Array;
}

export interface CryptoPort {
  /** A fresh streaming SHA-256 (FIPS 180-4). */
  sha256(): Sha256;
  /**
   * RFC 8032 section 5.1.7 Ed25519 verification (pure EdDSA, COSE alg -8). Returns false for any
   * bad input (wrong lengths, S >= L, undecodable points, small-order keys), never throws.
   */
  verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}
