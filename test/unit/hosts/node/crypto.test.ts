import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNobleCrypto } from '../../../../firmware/crypto/noble.js';
import { createNodeCrypto, ed25519PublicKey, ed25519Sign, isWeakEd25519Key } from '../../../../hosts/node/crypto.js';
import { describeCryptoContract, RFC8032 } from '../../../contract/crypto.js';

describeCryptoContract('node:crypto', () => createNodeCrypto());
describeCryptoContract('@noble (pure JS)', () => createNobleCrypto());

describe('noble and node:crypto agree', () => {
  const noble = createNobleCrypto();
  const node = createNodeCrypto();

  it('derive the RFC 8032 TEST 1 public key and signature with the tool helpers', () => {
    expect(ed25519PublicKey(RFC8032.test1.secretKey)).toEqual(RFC8032.test1.publicKey);
    expect(ed25519Sign(RFC8032.test1.message, RFC8032.test1.secretKey)).toEqual(RFC8032.test1.signature);
  });

  it('on random keys and messages, good and damaged signatures', () => {
    for (let i = 0; i < 24; i++) {
      const seed = new Uint8Array(randomBytes(32));
      const publicKey = ed25519PublicKey(seed);
      const message = new Uint8Array(randomBytes(i * 37));
      const signature = ed25519Sign(message, seed);
      expect(noble.verifyEd25519(signature, message, publicKey)).toBe(true);
      expect(node.verifyEd25519(signature, message, publicKey)).toBe(true);
      const bad = signature.slice();
      bad[i % 64]! ^= 0x80;
      expect(noble.verifyEd25519(bad, message, publicKey)).toBe(node.verifyEd25519(bad, message, publicKey));
      expect(noble.verifyEd25519(bad, message, publicKey)).toBe(false);
      const junk = new Uint8Array(randomBytes(64));
      expect(noble.verifyEd25519(junk, message, publicKey)).toBe(node.verifyEd25519(junk, message, publicKey));
    }
  });

  it('on random data hashed in random chunks', () => {
    for (let i = 0; i < 16; i++) {
      const data = new Uint8Array(randomBytes(1 + i * 613));
      const a = noble.sha256();
      const b = node.sha256();
      let off = 0;
      while (off < data.length) {
        const n = 1 + Math.floor(Math.random() * 200);
        a.update(data.subarray(off, off + n));
        b.update(data.subarray(off, off + n));
        off += n;
      }
      expect(a.digest()).toEqual(b.digest());
    }
  });

  it('both reject a small-order public key (identity point)', () => {
    // A = identity, R = identity, S = 0 satisfies the cofactorless equation for every message.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const sig = new Uint8Array(64);
    sig[0] = 1;
    expect(noble.verifyEd25519(sig, new Uint8Array([1, 2, 3]), identity)).toBe(false);
    expect(node.verifyEd25519(sig, new Uint8Array([1, 2, 3]), identity)).toBe(false);
  });

  it('agree on every small-order and non-canonical key encoding', () => {
    const keys = [
      '0100000000000000000000000000000000000000000000000000000000000080',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
      '0000000000000000000000000000000000000000000000000000000000000080',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p + 1
    ].map((h) => new Uint8Array(Buffer.from(h, 'hex')));
    const sig = new Uint8Array(64);
    sig[0] = 1;
    for (const key of keys) {
      expect(isWeakEd25519Key(key)).toBe(true);
      expect(noble.verifyEd25519(sig, new Uint8Array(0), key)).toBe(false);
      expect(node.verifyEd25519(sig, new Uint8Array(0), key)).toBe(false);
    }
    expect(isWeakEd25519Key(RFC8032.test1.publicKey)).toBe(false);
  });
});
