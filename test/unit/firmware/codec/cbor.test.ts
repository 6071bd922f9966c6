import { readFileSync } from 'node:fs';
import { Decoder } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { decode, encode, Simple, Tagged } from '../../../../firmware/codec/cbor.js';
import { fromHex, toHex } from '../../../../firmware/codec/bytes.js';
import type { ErrorCode } from '../../../../firmware/errors.js';
import { canon } from './canon.js';
import { fromVectorValue, type VectorValue } from './vector-value.js';
import { codeOf } from '../../../support/errors.js';

interface Vector { diagnostic: string; hex: string; value: VectorValue; encodesAs?: string; note?: string }
const appendixA = JSON.parse(readFileSync(new URL('../../../vectors/rfc8949-appendix-a.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

const hex = (v: unknown): string => toHex(encode(v));
const dec = (h: string, limits?: Parameters<typeof decode>[1]): unknown => decode(fromHex(h), limits);


describe('RFC 8949 Appendix A', () => {
  it('has the whole table', () => expect(appendixA.vectors.length).toBe(81));

  for (const v of appendixA.vectors) {
    const value = fromVectorValue(v.value);
    it(`decodes ${v.diagnostic} from ${v.hex}`, () => {
      expect(dec(v.hex)).toStrictEqual(value);
    });
    it(`encodes ${v.diagnostic} as ${v.encodesAs ?? v.hex}${v.encodesAs ? ` (${v.note})` : ''}`, () => {
      expect(hex(value)).toBe(v.encodesAs ?? v.hex);
    });
  }

  // The transcription checked by a second, independent decoder. cbor-x turns tags 0/1 into
  // Dates, cannot decode simple values (it reads them as "packed" references) and refuses
  // indefinite-length strings.
  const cborx = new Decoder({ mapsAsObjects: false, useRecords: false });
  for (const v of appendixA.vectors.filter((x) => !/^(simple|0\(|1\(|\(_)/.test(x.diagnostic))) {
    it(`cbor-x agrees on ${v.diagnostic}`, () => {
      expect(canon(cborx.decode(fromHex(v.hex)))).toBe(canon(fromVectorValue(v.value)));
    });
  }
});

describe('deterministic encoding (RFC 8949 4.2.1), protocols.md 2.1-2.2', () => {
  it.each([
    [10, '0a'], [-1, '20'], [-24, '37'], [24, '1818'], [-25, '3818'], [255, '18ff'], [256, '190100'], [-257, '390100'],
    [65535, '19ffff'], [65536, '1a00010000'], [2 ** 32 - 1, '1affffffff'], [2 ** 32, '1b0000000100000000'],
    [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'], [-(2 ** 53), '3b001fffffffffffff'], [2 ** 63, '1b8000000000000000'],
    [-(2 ** 64), '3bffffffffffffffff'],
  ])('integer %s -> shortest head %s', (v, h) => expect(hex(v)).toBe(h));

  it.each([
    [0, '00'], [-0, 'f98000'], [1.5, 'f93e00'], [5.5, 'f94580'], [21.5, 'f94d60'], [65504, '19ffe0'], [65504.5, 'fa477fe080'],
    [100000.5, 'fa47c35040'], [1000000.5, 'fa49742408'], [5.960464477539063e-8, 'f90001'], [1.1, 'fb3ff199999999999a'],
    [Infinity, 'f97c00'], [-Infinity, 'f9fc00'], [NaN, 'f97e00'], [3.4028234663852886e38, 'fa7f7fffff'],
    [2 ** 64, 'fa5f800000'], [-(2 ** 65), 'fae0000000'], [0.1, 'fb3fb999999999999a'], [1 / 3, 'fb3fd5555555555555'],
    [6.103515625e-5, 'f90400'], [6.097555160522461e-5, 'f903ff'], [2 ** -25, 'fa33000000'], [1.401298464324817e-45, 'fa00000001'],
    [5e-324, 'fb0000000000000001'], [Number.MAX_VALUE, 'fb7fefffffffffffff'], [-2.5, 'f9c100'], [65520, '19fff0'],
  ])('float %s -> %s (shortest exact width, Rule 1 for integral values)', (v, h) => {
    expect(hex(v)).toBe(h);
    expect(Object.is(dec(h), v)).toBe(true);
  });

  it('encodes every NaN as f97e00 and decodes NaN payloads to NaN', () => {
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, 0x7ff00000);
    view.setUint32(4, 1); // signalling NaN with a payload
    expect(hex(view.getFloat64(0))).toBe('f97e00');
    expect(dec('f97e01')).toBeNaN();
    expect(dec('fa7f800001')).toBeNaN();
  });

  it('sorts map keys by bytewise order of their encodings (protocols.md 2.2 example)', () => {
    const keys: unknown[] = [false, [-1], [100], 'aa', 'z', -1, 100, 10];
    const m = new Map(keys.map((k, i) => [k, i]));
    const out = encode(m);
    expect(toHex(out)).toBe('a8' + ['0a07', '186406', '2005', '617a04', '62616103', '81186402', '812001', 'f400'].join(''));
  });

  it('sorts plain-object keys by encoding, not by insertion or JS order', () => {
    expect(hex({ b: 1, a: 2, aa: 3, 10: 4, 2: 5 })).toBe(hex(new Map<unknown, unknown>([['2', 5], ['a', 2], ['b', 1], ['10', 4], ['aa', 3]])));
    expect(hex({ b: 1, a: 2, aa: 3, 10: 4, 2: 5 })).toBe('a56132056161026162016231300462616103');
  });

  it('refuses duplicate keys on encode (same encoding = same key, RFC 8949 5.6)', () => {
    expect(codeOf(() => encode(new Map<unknown, unknown>([[1, 'a'], [1n, 'b']])))).toBe('ERR_CBOR_DUPLICATE_KEY');
    expect(codeOf(() => encode(new Map([[[1], 'a'], [[1], 'b']])))).toBe('ERR_CBOR_DUPLICATE_KEY');
    expect(codeOf(() => encode(new Map([[NaN, 1], [Number('NaN'), 2]])))).toBe('no error'); // Map folds NaN keys itself
  });

  it('encodes bigints as integers, and beyond 64 bits as bignums without leading zeros (3.4.3)', () => {
    expect(hex(0n)).toBe('00');
    expect(hex(-1n)).toBe('20');
    expect(hex(2n ** 64n - 1n)).toBe('1bffffffffffffffff');
    expect(hex(2n ** 64n)).toBe('c249010000000000000000');
    expect(hex(-(2n ** 64n))).toBe('3bffffffffffffffff');
    expect(hex(-(2n ** 64n) - 1n)).toBe('c349010000000000000000');
    expect(hex(2n ** 72n + 255n)).toBe('c24a010000000000000000ff');
    expect(dec('c24a010000000000000000ff')).toBe(2n ** 72n + 255n);
    expect(dec('c24101')).toBe(1); // a non-preferred bignum still means its integer
    expect(dec('c340')).toBe(-1);
    expect(hex(new Tagged(2, new Uint8Array([0, 1])))).toBe('01'); // a bignum Tagged is written as its integer
    expect(hex(new Tagged(3, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0])))).toBe('c349010000000000000000');
    expect(hex(new Tagged(2, 'not bytes'))).toBe('c2696e6f74206279746573'); // not a bignum: an ordinary tag
  });

  it('encodes typed arrays, DataView and ArrayBuffer as byte strings (their own range only)', () => {
    const backing = new Uint8Array([9, 1, 2, 3, 4, 9]);
    expect(hex(backing.subarray(1, 5))).toBe('4401020304');
    expect(hex(new DataView(backing.buffer, 1, 2))).toBe('420102');
    const u16 = Uint16Array.of(0x0102);
    expect(hex(u16)).toBe('42' + toHex(new Uint8Array(u16.buffer))); // the bytes as they lie in memory
    expect(hex(backing.buffer.slice(0, 1))).toBe('4109');
  });

  it('encodes tags and simple values', () => {
    expect(hex(new Tagged(1, 1363896240))).toBe('c11a514b67b0');
    expect(hex(new Tagged(2n ** 63n, null))).toBe('db8000000000000000f6');
    expect(dec('db8000000000000000f6')).toStrictEqual(new Tagged(2n ** 63n, null));
    expect(hex(new Tagged(65536n, 0))).toBe('da0001000000'); // bigint tag numbers are shortened too
    expect(new Tagged(5n, 0).tag).toBe(5);
    expect(hex(new Simple(0))).toBe('e0');
    expect(hex(new Simple(19))).toBe('f3');
    expect(hex(new Simple(32))).toBe('f820');
    expect(dec('f820')).toStrictEqual(new Simple(32));
    expect(codeOf(() => new Simple(20))).toBe('ERR_ARGUMENT');
    expect(codeOf(() => new Simple(24))).toBe('ERR_ARGUMENT');
    expect(codeOf(() => new Simple(256))).toBe('ERR_ARGUMENT');
    expect(codeOf(() => new Tagged(-1, 0))).toBe('ERR_ARGUMENT');
    expect(codeOf(() => new Tagged(2n ** 64n, 0))).toBe('ERR_ARGUMENT');
    expect(codeOf(() => new Tagged(1.5, 0))).toBe('ERR_ARGUMENT');
  });

  it('refuses what CBOR cannot carry', () => {
    for (const v of [Symbol('x'), () => 1, new Date(0), new Set([1]), new (class Point { x = 1 })(), /re/]) {
      expect(codeOf(() => encode(v))).toBe('ERR_CBOR_UNSUPPORTED');
    }
    expect(codeOf(() => encode('a\ud800b'))).toBe('ERR_CBOR_UTF8'); // lone surrogate has no UTF-8 form
    expect(codeOf(() => encode({ k: '\udc00' }))).toBe('ERR_CBOR_UTF8');
  });

  it('refuses cycles and nesting deeper than 32 with ERR_CBOR_DEPTH, not a stack overflow', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(codeOf(() => encode(cyclic))).toBe('ERR_CBOR_DEPTH');
    let deep: unknown = 0;
    for (let i = 0; i < 32; i++) deep = [deep];
    expect(hex(deep)).toBe('81'.repeat(32) + '00');
    expect(codeOf(() => encode([deep]))).toBe('ERR_CBOR_DEPTH');
    expect(codeOf(() => encode(new Tagged(1, deep)))).toBe('ERR_CBOR_DEPTH'); // tags nest too
  });

  it('keeps undefined values of plain objects and ignores symbol keys', () => {
    expect(hex({ a: undefined, [Symbol('s')]: 1 })).toBe('a16161f7');
  });
});

describe('decoding: value model', () => {
  it('gives a plain object when every key is text, a Map otherwise', () => {
    expect(dec('a161610a')).toStrictEqual({ a: 10 });
    expect(dec('a2616101010a')).toStrictEqual(new Map<unknown, unknown>([['a', 1], [1, 10]]));
    expect(dec('a0')).toStrictEqual({});
    expect(dec('a1810102')).toStrictEqual(new Map([[[1], 2]]));
  });

  it('makes "__proto__" an own key, never the prototype', () => {
    const o = dec('a1695f5f70726f746f5f5fa1617801') as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
    expect((o as { x?: unknown }).x).toBeUndefined();
    expect(hex(o)).toBe('a1695f5f70726f746f5f5fa1617801');
  });

  it('returns integers beyond Number.MAX_SAFE_INTEGER as bigint, the rest as numbers', () => {
    expect(dec('1b001fffffffffffff')).toBe(Number.MAX_SAFE_INTEGER);
    expect(dec('1b0020000000000000')).toBe(2n ** 53n);
    expect(dec('3b001ffffffffffffe')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(dec('3b001fffffffffffff')).toBe(-(2n ** 53n));
    expect(dec('1b0000000000000001')).toBe(1); // non-preferred head, same value
    expect(dec('3bffffffffffffffff')).toBe(-(2n ** 64n));
  });

  it('decodes half floats by hand: normals, subnormals, signs', () => {
    expect(dec('f93c00')).toBe(1);
    expect(dec('f97bff')).toBe(65504);
    expect(dec('f90001')).toBe(2 ** -24);
    expect(dec('f903ff')).toBe(1023 * 2 ** -24);
    expect(dec('f98001')).toBe(-(2 ** -24));
    expect(dec('f9c400')).toBe(-4);
    expect(Object.is(dec('f98000'), -0)).toBe(true);
  });

  it('keeps keys that only look alike apart', () => {
    const m = new Map<unknown, unknown>([[1, '1'], [1.5, 'x'], ['1', 'a'], [2n ** 53n, 'b'], [2 ** 53 + 2, 'c'], [[1], 'd'], ['[1]', 'e']]);
    // 01 < 1b..00 < 1b..02 < 6131 < 635b315d < 8101 < f93e00
    expect(toHex(encode(m))).toBe('a70161311b002000000000000061621b00200000000000026163' + '61316161635b315d616581016164f93e006178');
    expect(decode(encode(m))).toStrictEqual(new Map<unknown, unknown>([[1, '1'], [2n ** 53n, 'b'], [2n ** 53n + 2n, 'c'], ['1', 'a'], ['[1]', 'e'], [[1], 'd'], [1.5, 'x']]));
  });

  it('accepts keys in any order and non-shortest heads', () => {
    expect(dec('a2616201616100')).toStrictEqual({ a: 0, b: 1 });
    expect(dec('b9000261610161620a')).toStrictEqual({ a: 1, b: 10 });
    expect(dec('7a00000001' + '61')).toBe('a');
  });

  it('decodes every text chunk on its own, so a chunk may not split a character (3.2.3)', () => {
    expect(dec('7f62c3bc6161ff')).toBe('üa');
    expect(dec('5f410140ff')).toStrictEqual(new Uint8Array([1])); // an empty chunk is fine
    expect(codeOf(() => dec('7f61c361bcff'))).toBe('ERR_CBOR_UTF8');
  });
});

describe('malformed input is a typed error (protocols.md 2.3, RFC 8949 3 and Appendix F)', () => {
  it.each<[string, ErrorCode, string]>([
    ['1c', 'ERR_CBOR_RESERVED', 'AI 28 on major 0'],
    ['5d', 'ERR_CBOR_RESERVED', 'AI 29 on major 2'],
    ['fe', 'ERR_CBOR_RESERVED', 'AI 30 on major 7'],
    ['9d', 'ERR_CBOR_RESERVED', 'AI 29 on an array length'],
    ['dc00', 'ERR_CBOR_RESERVED', 'AI 28 on a tag'],
    ['5f5cff', 'ERR_CBOR_RESERVED', 'AI 28 on a string chunk'],
    ['1f', 'ERR_CBOR_RESERVED', 'indefinite unsigned integer'],
    ['3f', 'ERR_CBOR_RESERVED', 'indefinite negative integer'],
    ['df', 'ERR_CBOR_RESERVED', 'indefinite tag'],
    ['ff', 'ERR_CBOR_BREAK', 'break at top level'],
    ['81ff', 'ERR_CBOR_BREAK', 'break inside a definite array'],
    ['a1ff', 'ERR_CBOR_BREAK', 'break inside a definite map'],
    ['c1ff', 'ERR_CBOR_BREAK', 'break as tag content'],
    ['bf00ff', 'ERR_CBOR_BREAK', 'break in a map value position'],
    ['9f81ffff', 'ERR_CBOR_BREAK', 'break in a definite array inside an indefinite one'],
    ['f800', 'ERR_CBOR_SIMPLE', 'two-byte simple 0'],
    ['f818', 'ERR_CBOR_SIMPLE', 'two-byte simple 24'],
    ['f81f', 'ERR_CBOR_SIMPLE', 'two-byte simple 31'],
    ['5f00ff', 'ERR_CBOR_CHUNK', 'integer chunk in a byte string'],
    ['5f6100ff', 'ERR_CBOR_CHUNK', 'text chunk in a byte string'],
    ['7f4100ff', 'ERR_CBOR_CHUNK', 'byte chunk in a text string'],
    ['5f5f4100ffff', 'ERR_CBOR_CHUNK', 'indefinite chunk'],
    ['1901', 'ERR_CBOR_TRUNCATED', 'inside a head'],
    ['a1', 'ERR_CBOR_TRUNCATED', 'map without entries'],
    ['6261', 'ERR_CBOR_TRUNCATED', 'text shorter than declared'],
    ['', 'ERR_CBOR_TRUNCATED', 'empty input'],
    ['18', 'ERR_CBOR_TRUNCATED', 'one-byte argument missing'],
    ['fb000000', 'ERR_CBOR_TRUNCATED', 'short float64'],
    ['f8', 'ERR_CBOR_TRUNCATED', 'two-byte simple cut'],
    ['9f01', 'ERR_CBOR_TRUNCATED', 'indefinite array without break'],
    ['5f41', 'ERR_CBOR_TRUNCATED', 'indefinite string cut in a chunk'],
    ['a16161', 'ERR_CBOR_TRUNCATED', 'map without its value'],
    ['c1', 'ERR_CBOR_TRUNCATED', 'tag without content'],
    ['0000', 'ERR_CBOR_TRAILING', 'two items where one was expected'],
    ['8000', 'ERR_CBOR_TRAILING', 'byte after an array'],
    ['62c0ae', 'ERR_CBOR_UTF8', 'overlong UTF-8'],
    ['63eda080', 'ERR_CBOR_UTF8', 'encoded surrogate'],
    ['64f4908080', 'ERR_CBOR_UTF8', 'beyond U+10FFFF'],
    ['62e282', 'ERR_CBOR_UTF8', 'UTF-8 sequence cut inside the string'],
    ['6180', 'ERR_CBOR_UTF8', 'stray continuation byte'],
    ['a2000000', 'ERR_CBOR_DUPLICATE_KEY', 'duplicate key seen before the input ends'],
    ['a200000001', 'ERR_CBOR_DUPLICATE_KEY', 'duplicate integer key'],
    ['a2616100616101', 'ERR_CBOR_DUPLICATE_KEY', 'duplicate text key'],
    ['a200001b000000000000000001', 'ERR_CBOR_DUPLICATE_KEY', 'same key, longer head'],
    ['a2000000f9000001', 'ERR_CBOR_DUPLICATE_KEY', '0 and 0.0 are the same JS key'],
    ['a2f9000001f9800002', 'ERR_CBOR_DUPLICATE_KEY', '0.0 and -0.0 collide in a JS Map'],
    ['a281010081010a', 'ERR_CBOR_DUPLICATE_KEY', 'equal array keys'],
    ['a2f93e0000fa3fc0000001', 'ERR_CBOR_DUPLICATE_KEY', '1.5 as binary16 and as binary32'],
    ['a2fa5f000000001b800000000000000001', 'ERR_CBOR_DUPLICATE_KEY', '2^63 as a float and as an integer'],
    ['a2f97e0000fb7ff800000000000101', 'ERR_CBOR_DUPLICATE_KEY', 'two NaN keys'],
    ['bf6161006161 01ff'.replace(' ', ''), 'ERR_CBOR_DUPLICATE_KEY', 'duplicate key in an indefinite map'],
  ])('%s -> %s (%s)', (h, code) => {
    expect(codeOf(() => dec(h))).toBe(code);
  });

  it('fails fast, without allocating, on huge declared lengths in a few bytes', () => {
    for (const h of ['5b0000000100000000', '7bffffffffffffffff', '9bffffffffffffffff', 'bbffffffffffffffff', '5affffffff', '9a7fffffff', 'ba7fffffff']) {
      expect(codeOf(() => dec(h + '00'))).toBe('ERR_CBOR_TRUNCATED');
    }
  });

  it('refuses nesting beyond maxDepth (default 32) without exhausting the stack', () => {
    expect(dec('81'.repeat(32) + '00')).toBeDefined();
    expect(codeOf(() => dec('81'.repeat(33) + '00'))).toBe('ERR_CBOR_DEPTH');
    expect(codeOf(() => dec('81'.repeat(100_000) + '00'))).toBe('ERR_CBOR_DEPTH');
    expect(codeOf(() => dec('9f'.repeat(100_000)))).toBe('ERR_CBOR_DEPTH');
    expect(codeOf(() => dec('c1'.repeat(40) + '00'))).toBe('ERR_CBOR_DEPTH');
    expect(codeOf(() => dec('a100'.repeat(40) + '00'))).toBe('ERR_CBOR_DEPTH');
    expect(codeOf(() => dec('8181818100', { maxDepth: 3 }))).toBe('ERR_CBOR_DEPTH');
    expect(dec('81818100', { maxDepth: 3 })).toStrictEqual([[[0]]]);
    expect(dec('00', { maxDepth: 0 })).toBe(0);
    expect(codeOf(() => dec('80', { maxDepth: 0 }))).toBe('ERR_CBOR_DEPTH');
  });

  it('applies maxItems and maxBytes, to definite and indefinite items alike', () => {
    expect(dec('83010203', { maxItems: 4 })).toStrictEqual([1, 2, 3]);
    expect(codeOf(() => dec('83010203', { maxItems: 3 }))).toBe('ERR_CBOR_LENGTH');
    expect(codeOf(() => dec('9f010203ff', { maxItems: 3 }))).toBe('ERR_CBOR_LENGTH');
    expect(codeOf(() => dec('a201020304', { maxItems: 4 }))).toBe('ERR_CBOR_LENGTH');
    expect(dec('a201020304', { maxItems: 5 })).toStrictEqual(new Map([[1, 2], [3, 4]]));
    expect(dec('8243010203420405', { maxBytes: 5 })).toStrictEqual([new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])]);
    expect(codeOf(() => dec('8243010203420405', { maxBytes: 4 }))).toBe('ERR_CBOR_LENGTH');
    expect(codeOf(() => dec('5f4201024203 04ff'.replace(' ', ''), { maxBytes: 3 }))).toBe('ERR_CBOR_LENGTH');
    expect(codeOf(() => dec('6449455446', { maxBytes: 3 }))).toBe('ERR_CBOR_LENGTH');
  });

  it('guards its entry point', () => {
    expect(codeOf(() => decode([0] as unknown as Uint8Array))).toBe('ERR_ARGUMENT');
    expect(codeOf(() => decode(new Uint8Array([0]), { maxDepth: -1 }))).toBe('ERR_ARGUMENT');
    expect(codeOf(() => decode(new Uint8Array([0]), { maxDepth: 1.5 }))).toBe('ERR_ARGUMENT');
    expect(codeOf(() => decode(new Uint8Array([0]), { maxDepht: 3 } as never))).toBe('ERR_ARGUMENT');
    expect(codeOf(() => decode(new Uint8Array([0]), null as never))).toBe('ERR_ARGUMENT');
    expect(decode(new Uint8Array([0]), { maxItems: undefined, maxBytes: Infinity })).toBe(0);
  });

  it('decodes a view at an offset into a larger buffer, and copies byte strings out', () => {
    const backing = new Uint8Array([0xff, 0x42, 0x01, 0x02, 0xff]);
    const out = decode(backing.subarray(1, 4)) as Uint8Array;
    expect(out).toStrictEqual(new Uint8Array([1, 2]));
    backing[2] = 9;
    expect(out[0]).toBe(1);
  });
});
