import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, Simple, Tagged } from '../../../../firmware/codec/cbor.js';
import { toHex } from '../../../../firmware/codec/bytes.js';
import { FirmwareError } from '../../../../firmware/errors.js';
import { canon } from './canon.js';

// Random and mutated bytes into the decoder: a value or a FirmwareError with an ERR_CBOR_ code,
// every time; never another exception (RangeError, stack overflow) and never a hang. Whatever
// the decoder accepts must re-encode, and read back as the same value.

function check(bytes: Uint8Array): void {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (e) {
    if (!(e instanceof FirmwareError) || !e.code.startsWith('ERR_CBOR_')) throw new Error(`decode(${toHex(bytes)}) threw ${String(e)}`);
    return;
  }
  const again = encode(value);
  expect(canon(decode(again))).toBe(canon(value));
}

// Bytes that start interesting items: long heads, indefinite starts, breaks, reserved AIs, floats, simple.
const interesting = fc.constantFrom(0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x3b, 0x40, 0x5b, 0x5f, 0x60, 0x62, 0x7b, 0x7f, 0x80, 0x81, 0x9b, 0x9f, 0xa1, 0xbb, 0xbf, 0xc2, 0xc3, 0xd8, 0xdb, 0xdf, 0xf8, 0xf9, 0xfa, 0xfb, 0xfe, 0xff, 0x00, 0xc0, 0xed, 0xf4);
const byteSoup = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), interesting), { maxLength: 48 }).map((a) => new Uint8Array(a));

const leaf = fc.oneof(fc.integer(), fc.double(), fc.string({ unit: 'binary', maxLength: 6 }), fc.uint8Array({ maxLength: 6 }), fc.boolean(), fc.constant(null),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.integer({ min: 32, max: 255 }).map((n) => new Simple(n)));
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 3 }), tie('v'), { maxKeys: 4 }),
    fc.tuple(fc.integer({ min: 0, max: 300 }), tie('v')).map(([t, x]) => new Tagged(t, x))),
})).v;

type Mutation = { kind: 'flip' | 'set' | 'insert' | 'delete' | 'truncate' | 'dup'; at: number; byte: number; len: number };
const mutation = fc.record({ kind: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate', 'dup'), at: fc.nat(), byte: fc.oneof(fc.integer({ min: 0, max: 255 }), interesting), len: fc.integer({ min: 1, max: 8 }) }) as fc.Arbitrary<Mutation>;

function mutate(input: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Array.from(input);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    switch (m.kind) {
      case 'flip': if (b.length) b[at] ^= 1 << (m.byte & 7); break;
      case 'set': if (b.length) b[at] = m.byte; break;
      case 'insert': b.splice(at, 0, m.byte); break;
      case 'delete': b.splice(at, m.len); break;
      case 'truncate': b = b.slice(0, at); break;
      case 'dup': b.splice(at, 0, ...b.slice(at, at + m.len)); break;
    }
  }
  return new Uint8Array(b);
}

describe('decoder under random and mutated input', () => {
  it('random bytes: a value or an ERR_CBOR_ error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => check(b)), { numRuns: 20000 });
  });

  it('byte soup biased to heads, breaks and reserved values: a value or an ERR_CBOR_ error', () => {
    fc.assert(fc.property(byteSoup, (b) => check(b)), { numRuns: 20000 });
  });

  it('mutated valid encodings: a value or an ERR_CBOR_ error', () => {
    fc.assert(fc.property(value, fc.array(mutation, { minLength: 1, maxLength: 3 }), (v, ms) => check(mutate(encode(v), ms))), { numRuns: 10000 });
  });

  it('every prefix of a valid encoding is ERR_CBOR_TRUNCATED', () => {
    fc.assert(fc.property(value, (v) => {
      const full = encode(v);
      for (let n = 0; n < full.length; n++) {
        expect(() => decode(full.subarray(0, n))).toThrow(expect.objectContaining({ code: 'ERR_CBOR_TRUNCATED' }));
      }
    }), { numRuns: 1000 });
  });

  it('long runs of nesting starts or huge lengths end quickly with a typed error', () => {
    for (const start of [0x81, 0x9f, 0xa1, 0xbf, 0xc1, 0xd8]) {
      const b = new Uint8Array(200_000).fill(start);
      expect(() => decode(b)).toThrow(FirmwareError);
    }
    const manyStrings = new Uint8Array(100_000).fill(0x5b);
    expect(() => decode(manyStrings)).toThrow(expect.objectContaining({ code: 'ERR_CBOR_TRUNCATED' }));
    const manyChunks = new Uint8Array(100_001).fill(0x40);
    manyChunks[0] = 0x5f;
    expect(() => decode(manyChunks)).toThrow(expect.objectContaining({ code: 'ERR_CBOR_TRUNCATED' }));
    manyChunks[100_000] = 0xff;
    expect(decode(manyChunks)).toStrictEqual(new Uint8Array(0));
  });
});
