import { Decoder, Encoder, Tag } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, Simple, Tagged } from '../../../../firmware/codec/cbor.js';
import { compareBytes, toHex } from '../../../../firmware/codec/bytes.js';
import { canon } from './canon.js';

// Property tests against cbor-x in both directions (issue 2), plus determinism of our encoder.

// Tags that cbor-x leaves as plain Tag objects (it converts 0-5, 14, 15, 25-29, 51, 64-87,
// 256-259, 55799, record tags and a few ranges into other types).
const plainTag = fc.oneof(fc.integer({ min: 6, max: 13 }), fc.integer({ min: 16, max: 24 }), fc.integer({ min: 30, max: 50 }), fc.integer({ min: 1000, max: 27000 }));

const int = fc.oneof(
  fc.integer(),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.constantFrom(0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -24, -25, -256, -257, -(2 ** 32)),
);
const big = fc.oneof(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }));
const float = fc.oneof(fc.double(), fc.float().map(Number), fc.constantFrom(0.5, 1.5, 65504, 2 ** -24, 2 ** -14, 1e300, -0, NaN, Infinity, -Infinity));
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ maxLength: 30 }));
const bytes = fc.uint8Array({ maxLength: 24 });
const scalar = fc.oneof(int, big, float, text, bytes, fc.boolean(), fc.constant(null), fc.constant(undefined));

/** Values of our model, with Maps whose keys are distinct as CBOR (no duplicate encodings). */
function values(withSimple: boolean, tag: fc.Arbitrary<number>): fc.Arbitrary<unknown> {
  const leaf = withSimple ? fc.oneof({ weight: 8, arbitrary: scalar }, { weight: 1, arbitrary: fc.oneof(fc.integer({ min: 0, max: 19 }), fc.integer({ min: 32, max: 255 })).map((n) => new Simple(n)) }) : scalar;
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 5 }), fc.dictionary(text, tie('value'), { maxKeys: 5 }),
      fc.uniqueArray(fc.tuple(fc.oneof(leaf, fc.array(leaf, { maxLength: 2 })), tie('value')), { maxLength: 5, selector: ([k]) => toHex(encode(k === 0 ? 0 : k)) }).map((e) => new Map(e)),
      fc.tuple(tag, tie('value')).map(([t, v]) => new Tagged(t, v))),
  })).value;
}

const cborxDecoder = new Decoder({ mapsAsObjects: false, useRecords: false });
// useTag259ForMaps is in the cbor-x README but not in its types: pass it through a variable.
const plainMaps = { useRecords: false, tagUint8Array: false, useTag259ForMaps: false };
const cborxEncoder = new Encoder({ ...plainMaps, mapsAsObjects: true });

/** Our Tagged -> cbor-x Tag, recursively, for the cbor-x encoder. */
function toCborx(v: unknown): unknown {
  if (v instanceof Tagged) return new Tag(toCborx(v.value), Number(v.tag));
  if (Array.isArray(v)) return v.map(toCborx);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [toCborx(k), toCborx(x)]));
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCborx(x)]));
  // cbor-x writes -0 as the integer 0 (00), losing the sign: compare what it can carry.
  if (typeof v === 'number' && Object.is(v, -0)) return 0;
  return v;
}

describe('CBOR cross-checked with cbor-x', () => {
  it('ours -> cbor-x: every value we encode decodes to the same value in cbor-x', () => {
    fc.assert(fc.property(values(false, plainTag), (v) => {
      expect(canon(cborxDecoder.decode(encode(v)))).toBe(canon(v));
    }), { numRuns: 1500 });
  });

  it('cbor-x -> ours: every value cbor-x encodes (its own, non-deterministic choices) decodes to the same value with ours', () => {
    fc.assert(fc.property(values(false, plainTag).map(toCborx), (v) => {
      const wire = cborxEncoder.encode(v);
      expect(canon(decode(new Uint8Array(wire.buffer, wire.byteOffset, wire.byteLength)))).toBe(canon(v));
    }), { numRuns: 1500 });
  });

  it('cbor-x in float32 and variable-map-size modes -> ours', () => {
    const e = new Encoder({ ...plainMaps, useFloat32: 1, variableMapSize: true });
    fc.assert(fc.property(fc.array(fc.oneof(fc.float({ noDefaultInfinity: true }).map(Number), fc.dictionary(text, int, { maxKeys: 20 })), { maxLength: 5 }), (v) => {
      const back = decode(e.encode(v));
      expect(canon(back)).toBe(canon(cborxDecoder.decode(e.encode(v))));
    }), { numRuns: 500 });
  });
});

describe('our encoding is deterministic (RFC 8949 4.2.1)', () => {
  it('encode(decode(encode(x))) is encode(x), for every value including simple values and any tag', () => {
    fc.assert(fc.property(values(true, fc.oneof(plainTag, fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(0, 1, 2, 3))), (v) => {
      const once = encode(v);
      expect(toHex(encode(decode(once)))).toBe(toHex(once));
    }), { numRuns: 1500 });
  });

  it('map keys appear in bytewise order of their encodings, at every depth', () => {
    const sortedEverywhere = (x: unknown): boolean => {
      if (Array.isArray(x)) return x.every(sortedEverywhere);
      if (x instanceof Tag) return sortedEverywhere(x.value);
      if (!(x instanceof Map)) return true;
      const keys = [...x.keys()].map((k) => encode(k instanceof Tag ? new Tagged(k.tag, k.value) : k));
      for (let i = 1; i < keys.length; i++) if (compareBytes(keys[i - 1], keys[i]) >= 0) return false;
      return [...x.keys(), ...x.values()].every(sortedEverywhere);
    };
    fc.assert(fc.property(values(false, plainTag), (v) => {
      // cbor-x keeps wire order in its Maps, so it shows the order we wrote.
      expect(sortedEverywhere(cborxDecoder.decode(encode(v)))).toBe(true);
    }), { numRuns: 1000 });
  });

  it('uses the shortest head: re-encoding cbor-x output with ours is never longer', () => {
    fc.assert(fc.property(values(false, plainTag).map(toCborx), (v) => {
      const theirs = cborxEncoder.encode(v);
      expect(encode(decode(theirs)).length).toBeLessThanOrEqual(theirs.length);
    }), { numRuns: 500 });
  });

  it('encodes floats in the shortest width that keeps the value exactly', () => {
    // Every binary16 value, computed here from the IEEE 754 definition.
    const halves: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const e = (h >> 10) & 31, m = h & 1023, sign = h & 0x8000 ? -1 : 1;
      if (e === 31) halves.push(m === 0 ? sign * Infinity : NaN);
      else halves.push(sign * (e === 0 ? m * Math.pow(2, -24) : (1 + m / 1024) * Math.pow(2, e - 15)));
    }
    const isHalf = new Set(halves.filter((x) => !Object.is(x, -0)));
    // Dense around the binary16 edges: 12-bit significands times 2^-40..2^20 (subnormal, normal, too precise, too big).
    const nearHalf = fc.tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: -40, max: 20 }), fc.boolean()).map(([m, e, neg]) => (neg ? -1 : 1) * m * 2 ** e);
    const anyFloat = fc.oneof(fc.double({ noNaN: true }), fc.float({ noNaN: true }).map(Number), fc.constantFrom(...halves.filter((x) => !Number.isNaN(x))), nearHalf);
    fc.assert(fc.property(anyFloat, (x) => {
      const out = encode(x);
      const back = decode(out); // integers beyond 2^53 come back as bigint, with the same value
      expect(Object.is(typeof back === 'bigint' ? Number(back) : back, x)).toBe(true);
      const integral = Number.isInteger(x) && !Object.is(x, -0) && Math.abs(x) <= 2 ** 64 && x !== 2 ** 64;
      if (integral) expect(out[0] >> 5).toBeLessThan(2); // Rule 1: an integer
      else if (Object.is(x, -0)) expect(toHex(out)).toBe('f98000');
      else if (isHalf.has(x)) expect(out[0]).toBe(0xf9);
      else if (Math.fround(x) === x) expect(out[0]).toBe(0xfa);
      else expect(out[0]).toBe(0xfb);
    }), { numRuns: 5000 });
  });
});
