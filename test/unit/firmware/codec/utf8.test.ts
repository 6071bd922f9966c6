import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tryUtf8Decode, utf8Decode, utf8Encode, utf8EncodedLength } from '../../../../firmware/codec/utf8.js';
import { fromHex, toHex } from '../../../../firmware/codec/bytes.js';
import { isFirmwareError } from '../../../../firmware/errors.js';

describe('utf8', () => {
  it.each([
    ['', ''], ['a', '61'], ['\u007f', '7f'], ['\u0080', 'c280'], ['\u00fc', 'c3bc'], ['\u07ff', 'dfbf'], ['\u0800', 'e0a080'],
    ['\u6c34', 'e6b0b4'], ['\ud7ff', 'ed9fbf'], ['\ue000', 'ee8080'], ['\uffff', 'efbfbf'], ['\u{10000}', 'f0908080'],
    ['\u{10151}', 'f0908591'], ['\u{10ffff}', 'f48fbfbf'], ['temp°C', '74656d70c2b043'],
  ])('%j <-> %s', (s, h) => {
    expect(toHex(utf8Encode(s))).toBe(h);
    expect(utf8EncodedLength(s)).toBe(h.length / 2);
    expect(utf8Decode(fromHex(h))).toBe(s);
  });

  it.each([
    ['c0af', 'overlong 2-byte'], ['c1bf', 'overlong 2-byte'], ['e080af', 'overlong 3-byte'], ['f08080af', 'overlong 4-byte'],
    ['eda080', 'surrogate D800'], ['edbfbf', 'surrogate DFFF'], ['f4908080', 'U+110000'], ['f5808080', 'lead byte F5'],
    ['ff', 'byte FF'], ['80', 'lone continuation'], ['c3', 'cut 2-byte'], ['e6b0', 'cut 3-byte'], ['f09085', 'cut 4-byte'],
    ['c328', 'bad continuation'], ['e6284b', 'bad continuation'], ['f0908528', 'bad continuation'],
  ])('refuses %s (%s)', (h) => {
    expect(tryUtf8Decode(fromHex(h))).toBeUndefined();
    expect(() => utf8Decode(fromHex(h))).toThrow(expect.objectContaining({ code: 'ERR_UTF8' }));
  });

  it('refuses lone surrogates when encoding (no silent U+FFFD)', () => {
    for (const s of ['\ud800', 'a\udc00', '\ud800a', '\udc00\ud800']) {
      expect(utf8EncodedLength(s)).toBe(-1);
      let error: unknown;
      try { utf8Encode(s); } catch (e) { error = e; }
      expect(isFirmwareError(error, 'ERR_UTF8')).toBe(true);
    }
  });

  it('decodes a range of a larger buffer', () => {
    expect(utf8Decode(fromHex('ff6162ff'), 1, 3)).toBe('ab');
  });

  it('decodes strings longer than one fromCharCode chunk', () => {
    const s = '\u{1F600}x\u00e9'.repeat(2000);
    expect(utf8Decode(utf8Encode(s))).toBe(s);
  });

  it('agrees with TextEncoder/TextDecoder (fatal) on every well-formed string and random bytes', () => {
    const te = new TextEncoder();
    const td = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      expect(toHex(utf8Encode(s))).toBe(toHex(te.encode(s)));
      expect(utf8Decode(te.encode(s))).toBe(s);
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
      let expected: string | undefined;
      try { expected = td.decode(b); } catch { expected = undefined; }
      expect(tryUtf8Decode(b)).toBe(expected);
    }), { numRuns: 3000 });
  });
});
