import { describe, expect, it } from 'vitest';
import type { CryptoPort } from '../../firmware/index.js';

/**
 * Contract of the CryptoPort (firmware/ports/crypto.ts), run against every implementation
 * (noble on Node, node:crypto, noble inside xsnap via test/xs).
 */
const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

// RFC 8032 section 7.1 TEST 1 (empty message) and TEST 2 (one byte).
export const RFC8032 = Object.freeze({
  test1: {
    secretKey: hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
    publicKey: hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
    message: new Uint8Array(0),
    signature: hex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'),
  },
  test2: {
    secretKey: hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb'),
    publicKey: hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'),
    message: hex('72'),
    signature: hex('92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'),
  },
});

// FIPS 180-4 / NIST CAVS examples.
const SHA256_VECTORS: Array<[Uint8Array, string]> = [
  [new Uint8Array(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  [ascii('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
];

/** L, the group order, little-endian: adding it to S gives a non-canonical S (RFC 8032 5.1.7 step 1). */
const L_LE = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');

function addLE(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const sum = a[i]! + b[i]! + carry;
    out[i] = sum & 0xff;
    carry = sum >> 8;
  }
  return out;
}

export function describeCryptoContract(name: string, factory: () => CryptoPort | Promise<CryptoPort>): void {
  describe(`CryptoPort contract: ${name}`, () => {
    it('SHA-256 matches the FIPS 180-4 examples', async () => {
      const crypto = await factory();
      for (const [input, expected] of SHA256_VECTORS) {
        const h = crypto.sha256();
        h.update(input);
        expect(toHex(h.digest())).toBe(expected);
      }
    });

    it('streamed SHA-256 equals one-shot for any chunking (1 million "a")', async () => {
      const crypto = await factory();
      const data = new Uint8Array(1_000_000).fill(0x61);
      const h = crypto.sha256();
      // Odd chunk sizes cross the 64-byte block boundary in every way.
      for (let off = 0, step = 1; off < data.length; off += step, step = (step * 7 + 13) % 5000 + 1) {
        h.update(data.subarray(off, Math.min(off + step, data.length)));
      }
      expect(toHex(h.digest())).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
    });

    it('hashers are independent', async () => {
      const crypto = await factory();
      const a = crypto.sha256();
      const b = crypto.sha256();
      a.update(ascii('abc'));
      expect(toHex(b.digest())).toBe(SHA256_VECTORS[0]![1]);
      expect(toHex(a.digest())).toBe(SHA256_VECTORS[1]![1]);
    });

    it('verifies RFC 8032 TEST 1 and TEST 2', async () => {
      const crypto = await factory();
      for (const t of [RFC8032.test1, RFC8032.test2]) {
        expect(crypto.verifyEd25519(t.signature, t.message, t.publicKey)).toBe(true);
      }
    });

    it('rejects a flipped bit anywhere in signature, message or key', async () => {
      const crypto = await factory();
      const t = RFC8032.test2;
      for (const bit of [0, 7, 255, 256, 511]) {
        const sig = t.signature.slice();
        sig[bit >> 3]! ^= 1 << (bit & 7);
        expect(crypto.verifyEd25519(sig, t.message, t.publicKey), `signature bit ${bit}`).toBe(false);
      }
      expect(crypto.verifyEd25519(t.signature, hex('73'), t.publicKey)).toBe(false);
      expect(crypto.verifyEd25519(t.signature, hex('7200'), t.publicKey)).toBe(false);
      const key = t.publicKey.slice();
      key[5]! ^= 0x10;
      expect(crypto.verifyEd25519(t.signature, t.message, key)).toBe(false);
      expect(crypto.verifyEd25519(t.signature, t.message, RFC8032.test1.publicKey)).toBe(false);
    });

    it('rejects a non-canonical S (S + L), RFC 8032 5.1.7', async () => {
      const crypto = await factory();
      const t = RFC8032.test1;
      const sig = t.signature.slice();
      sig.set(addLE(sig.subarray(32), L_LE), 32);
      expect(crypto.verifyEd25519(sig, t.message, t.publicKey)).toBe(false);
    });

    it('returns false, without throwing, for wrong lengths and undecodable keys', async () => {
      const crypto = await factory();
      const t = RFC8032.test1;
      expect(crypto.verifyEd25519(t.signature.subarray(0, 63), t.message, t.publicKey)).toBe(false);
      expect(crypto.verifyEd25519(new Uint8Array(65), t.message, t.publicKey)).toBe(false);
      expect(crypto.verifyEd25519(t.signature, t.message, t.publicKey.subarray(1))).toBe(false);
      expect(crypto.verifyEd25519(t.signature, t.message, new Uint8Array(0))).toBe(false);
      // y = 2 is not on the curve (no x satisfies the equation).
      const offCurve = new Uint8Array(32);
      offCurve[0] = 2;
      expect(crypto.verifyEd25519(t.signature, t.message, offCurve)).toBe(false);
      expect(crypto.verifyEd25519(new Uint8Array(64), t.message, t.publicKey)).toBe(false);
    });
  });
}
