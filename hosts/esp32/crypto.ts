/**
 * CryptoPort on the ESP32: SHA-256 on crypt's native Digest, because the pure-JS hash costs about
 * 0.5 M computrons per KiB on XS and the updater hashes the whole image it read back from flash.
 * Ed25519 verification stays with noble (one verify per offered update).
 */
import { createNobleCrypto, type CryptoPort, type Sha256 } from '../esp32-core.js';
import type { DigestConstructor } from './moddable-types.js';

export function createEsp32Crypto(Digest: DigestConstructor): CryptoPort {
  const noble = createNobleCrypto();
  return {
    sha256(): Sha256 {
      const d = new Digest('SHA256');
      let finished = false;
      // The native Digest does not refuse use after close() (it hashes on from a finished state
      // and returns a wrong digest), so the port refuses instead, as noble and node:crypto do.
      const refuseFinished = (): void => {
        if (finished) throw new Error('sha256: hasher used after digest()');
      };
      return {
        update(bytes: Uint8Array): void {
          refuseFinished();
          // No copy: xsmcGetBuffer reads a Uint8Array at its own byteOffset and byteLength.
          d.write(bytes);
        },
        digest(): Uint8Array {
          refuseFinished();
          finished = true;
          return new Uint8Array(d.close());
        },
      };
    },
    verifyEd25519: noble.verifyEd25519,
  };
}
