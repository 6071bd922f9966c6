import { describe, expect, it } from 'vitest';
import { compareBytes, concatBytes, equalBytes, fromHex, toHex } from '../../../../firmware/codec/bytes.js';

const b = (...x: number[]): Uint8Array => new Uint8Array(x);

describe('bytes', () => {
  it('converts hex both ways, lowercase out, any case in', () => {
    expect(toHex(b(0, 1, 0xab, 0xff))).toBe('0001abff');
    expect(fromHex('0001ABff')).toStrictEqual(b(0, 1, 0xab, 0xff));
    expect(fromHex('')).toStrictEqual(b());
  });

  it.each(['0', 'abc', 'zz', '0g', ' 00', '0x00'])('refuses bad hex %j with ERR_ARGUMENT', (h) => {
    expect(() => fromHex(h)).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT' }));
  });

  it('concatenates', () => {
    expect(concatBytes()).toStrictEqual(b());
    expect(concatBytes(b(1), b(), b(2, 3))).toStrictEqual(b(1, 2, 3));
  });

  it('compares: equality and bytewise order with shorter prefixes first', () => {
    expect(equalBytes(b(1, 2), b(1, 2))).toBe(true);
    expect(equalBytes(b(1, 2), b(1, 3))).toBe(false);
    expect(equalBytes(b(1), b(1, 0))).toBe(false);
    expect(compareBytes(b(1, 2), b(1, 2))).toBe(0);
    expect(compareBytes(b(1), b(1, 0))).toBeLessThan(0);
    expect(compareBytes(b(0x20), b(0x18, 0x64))).toBeGreaterThan(0);
    expect(compareBytes(b(0x81, 0x18, 0x64), b(0x81, 0x20))).toBeLessThan(0);
  });
});
