import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, type DecodeLimits } from '../../../../firmware/codec/cbor.js';
import { KeyCache } from '../../../../firmware/codec/key-cache.js';
import { toHex } from '../../../../firmware/codec/bytes.js';
import { FirmwareError } from '../../../../firmware/errors.js';
import { canon } from './canon.js';

// decode(bytes, limits, keys) must be decode(bytes, limits) with fewer strings made: the same
// value, or the same error at the same byte, whatever the cache holds from earlier inputs.

type Outcome = { value: string } | { code: string; offset: unknown };

function outcome(f: () => unknown): Outcome {
  try {
    return { value: canon(f()) };
  } catch (e) {
    if (!(e instanceof FirmwareError)) throw e;
    return { code: e.code, offset: (e.details as { offset?: unknown } | undefined)?.offset };
  }
}

function same(bytes: Uint8Array, keys: KeyCache, limits?: Partial<DecodeLimits>): void {
  const plain = outcome(() => decode(bytes, limits));
  const cached = outcome(() => decode(bytes, limits, keys));
  expect(cached, toHex(bytes)).toStrictEqual(plain);
}

// Keys from a small alphabet, so that they repeat across inputs and collide in the table.
const key = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 5 }), fc.string({ unit: 'binary', maxLength: 4 }),
  fc.string({ unit: fc.constantFrom('x', 'y'), minLength: 20, maxLength: 30 }));
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string({ maxLength: 4 }), fc.uint8Array({ maxLength: 4 }), fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 5 })),
})).v;
const limits = fc.record({ maxItems: fc.integer({ min: 0, max: 12 }), maxBytes: fc.integer({ min: 0, max: 24 }) }, { requiredKeys: [] });

describe('KeyCache', () => {
  it('decodes every valid encoding to what decode gives without it, limits or not', () => {
    const keys = new KeyCache();
    fc.assert(fc.property(value, fc.option(limits, { nil: undefined }), (v, l) => same(encode(v), keys, l)), { numRuns: 10000 });
  });

  it('fails on every broken encoding with the same code at the same byte as decode without it', () => {
    const keys = new KeyCache();
    const broken = fc.tuple(value, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([v, at, byte]) => {
      const b = encode(v);
      if (b.length > 0) b[at % b.length] = byte;
      return b.subarray(0, b.length - (byte % 3));
    });
    fc.assert(fc.property(broken, fc.option(limits, { nil: undefined }), (b, l) => same(b, keys, l)), { numRuns: 20000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => same(b, keys)), { numRuns: 20000 });
  });

  it('gives each of many keys that share slots back as itself, in any order', () => {
    // 256 slots: 2,000 keys collide many times over.
    const keys = new KeyCache();
    const names = Array.from({ length: 2000 }, (_, i) => `k${i.toString(36)}`);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < names.length; i += 2) {
        const map = { [names[i]!]: i, [names[(i * 7 + round) % names.length]!]: round };
        expect(decode(encode(map), undefined, keys)).toStrictEqual(decode(encode(map)));
      }
    }
  });

  it('leaves keys that are not ASCII, or 24 bytes and longer, to the UTF-8 path', () => {
    const keys = new KeyCache();
    const map = { 'é': 1, 'ключ': 2, ['x'.repeat(24)]: 3, ['y'.repeat(23)]: 4, '': 5, '\u007f': 6 };
    for (let round = 0; round < 2; round++) expect(decode(encode(map), undefined, keys)).toStrictEqual(map);
    expect(() => decode(new Uint8Array([0xa1, 0x62, 0xc3, 0x28, 0x01]), undefined, keys)).toThrow(expect.objectContaining({ code: 'ERR_CBOR_UTF8' }));
    expect(() => decode(new Uint8Array([0xa2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02]), undefined, keys)).toThrow(expect.objectContaining({ code: 'ERR_CBOR_DUPLICATE_KEY' }));
  });
});
