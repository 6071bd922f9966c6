/**
 * The ESP32 CryptoPort (hosts/esp32/crypto.ts): SHA-256 on crypt's native Digest, here the fake
 * of test/esp32/fakes.ts that accepts and refuses what modCrypt.c does, and Ed25519 from noble.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEsp32Crypto } from '../../hosts/esp32/crypto.js';
import { describeCryptoContract } from '../contract/crypto.js';
import { FakeDigest } from './fakes.js';

describeCryptoContract('ESP32 (crypt Digest SHA-256, noble Ed25519)', () => createEsp32Crypto(FakeDigest));

const nodeSha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());

describe('ESP32 crypto: SHA-256 through the native Digest', () => {
  it('many chunks, views into a larger buffer at odd offsets and empty chunks, give node:crypto\'s digest', () => {
    const backing = new Uint8Array(randomBytes(300_000));
    const crypto = createEsp32Crypto(FakeDigest);
    const h = crypto.sha256();
    const fed: Uint8Array[] = [];
    let off = 3;
    for (let i = 0; off < backing.length; i++) {
      const n = i % 5 === 0 ? 0 : Math.min((i * 977) % 4099 + 1, backing.length - off);
      // subarray keeps the large ArrayBuffer: byteOffset is odd about half the time, never 0.
      const chunk = backing.subarray(off, off + n);
      h.update(chunk);
      fed.push(chunk);
      off += n;
    }
    h.update(new Uint8Array(0));
    const all = new Uint8Array(fed.reduce((sum, c) => sum + c.length, 0));
    let at = 0;
    for (const c of fed) {
      all.set(c, at);
      at += c.length;
    }
    expect(fed.some((c) => c.byteOffset % 2 === 1)).toBe(true);
    expect(fed.filter((c) => c.length === 0).length).toBeGreaterThan(10);
    expect(h.digest()).toEqual(nodeSha256(all));
  });

  it('hands each Uint8Array to Digest.write as it is (no copy) and reads the digest from close()', () => {
    const written: unknown[] = [];
    let closes = 0;
    class Spy extends FakeDigest {
      override write(data: unknown): void {
        written.push(data);
        super.write(data);
      }
      override close(more?: boolean): ArrayBuffer {
        closes++;
        return super.close(more);
      }
    }
    const backing = Uint8Array.from({ length: 40 }, (_, i) => i);
    const view = backing.subarray(7, 29);
    const h = createEsp32Crypto(Spy).sha256();
    h.update(view);
    const out = h.digest();
    expect(written).toEqual([view]);
    expect(written[0]).toBe(view);
    expect(closes).toBe(1);
    expect(out).toBeInstanceOf(Uint8Array);
    expect(out).toEqual(nodeSha256(view));
  });

  it('one native Digest per hasher, and the port refuses a hasher after digest()', () => {
    const before = FakeDigest.created;
    const crypto = createEsp32Crypto(FakeDigest);
    const h = crypto.sha256();
    crypto.sha256();
    expect(FakeDigest.created - before).toBe(2);
    h.update(Uint8Array.of(1));
    h.digest();
    expect(() => h.update(Uint8Array.of(2))).toThrow(/after digest/);
    expect(() => h.digest()).toThrow(/after digest/);
  });
});

describe('FakeDigest behaves as modCrypt.c', () => {
  const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  const hex = (b: ArrayBuffer): string => Buffer.from(b).toString('hex');

  it('takes ArrayBuffer, DataView and 1-byte typed arrays at their offset; a string up to its first NUL', () => {
    const backing = Uint8Array.from([0, 0x61, 0x62, 0x63, 0]);
    const inputs: unknown[] = [
      Uint8Array.of(0x61, 0x62, 0x63).buffer,
      backing.subarray(1, 4),
      new DataView(backing.buffer, 1, 3),
      new Int8Array(backing.buffer, 1, 3),
      new Uint8ClampedArray(backing.buffer, 1, 3),
      'abc',
      'abc\0def',
    ];
    for (const input of inputs) {
      const d = new FakeDigest('SHA256');
      d.write(input);
      expect(hex(d.close()), String(input)).toBe(abc);
    }
  });

  it('refuses what xsmcGetBuffer refuses ("this is no buffer")', () => {
    const d = new FakeDigest('SHA256');
    for (const bad of [new Uint16Array(2), new Float64Array(1), [1, 2, 3], 42, undefined, null, {}]) {
      expect(() => d.write(bad), String(bad)).toThrow(TypeError);
    }
    expect(() => new FakeDigest('SHA3')).toThrow('crypt: unsupported digest');
  });

  it('close() returns a fresh 32-byte ArrayBuffer; close(true) keeps the state; update = write', () => {
    const d = new FakeDigest('SHA256');
    expect(d.outputSize).toBe(32);
    expect(d.blockSize).toBe(64);
    d.update('ab');
    const partial = d.close(true);
    expect(partial).toBeInstanceOf(ArrayBuffer);
    expect(partial.byteLength).toBe(32);
    d.write('c');
    expect(hex(d.close())).toBe(abc);
  });

  it('use after close() does not throw but gives a wrong digest, until reset()', () => {
    const d = new FakeDigest('SHA256');
    d.write('abc');
    d.close();
    d.write('abc');
    expect(hex(d.close())).not.toBe(abc);
    d.reset();
    d.write('abc');
    expect(hex(d.close())).toBe(abc);
  });
});
