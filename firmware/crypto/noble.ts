/**
 * CryptoPort over @noble/ed25519 3.x and @noble/hashes 2.x: pure JavaScript written for any
 * engine (they use only Uint8Array, DataView and BigInt; their optional globalThis.crypto paths
 * are for key generation and the async API, which this module never calls). Runs on XS on the
 * device, in xsnap in CI, and on Node.
 *
 * One verify costs about 11.5 million computrons under xsnap (BigInt work): the updater calls it
 * once per offered update.
 */
import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { CryptoPort, Sha256 } from '../ports/crypto.js';

/**
 * Builds the port and, at wiring time, installs noble 3's synchronous SHA-512 hook (noble leaves
 * `hashes.sha512` unset and otherwise fails at the first verify: noble-ed25519#84). Idempotent.
 */
export function createNobleCrypto(): CryptoPort {
  if (ed.hashes.sha512 === undefined) ed.hashes.sha512 = sha512;
  return {
    sha256(): Sha256 {
      const h = sha256.create();
      return {
        update(bytes: Uint8Array): void {
          h.update(bytes);
        },
        digest(): Uint8Array {
          return h.digest();
        },
      };
    },
    verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
      if (signature.length !== 64 || publicKey.length !== 32) return false;
      try {
        // zip215: false = RFC 8032 / FIPS 186-5 strict decoding, the rule node:crypto (OpenSSL) follows.
        return ed.verify(signature, message, publicKey, { zip215: false });
      } catch {
        return false;
      }
    },
  };
}
