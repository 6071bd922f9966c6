import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromBase64, toBase64 } from '../../../../firmware/messages/base64.js';
import { isFirmwareError } from '../../../../firmware/index.js';

describe('base64 (RFC 4648)', () => {
  it('RFC 4648 section 10 test vectors', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
    for (const [plain, coded] of vectors) {
      const bytes = new Uint8Array([...plain].map((c) => c.charCodeAt(0)));
      expect(toBase64(bytes)).toBe(coded);
      expect(fromBase64(coded)).toEqual(bytes);
    }
  });
  it('matches Node Buffer for any bytes, both ways', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      const coded = toBase64(bytes);
      expect(coded).toBe(Buffer.from(bytes).toString('base64'));
      expect(fromBase64(coded)).toEqual(bytes);
    }));
  });
  it.each(['Zg=', 'Zm9v!A==', 'Zh==', 'Zm9=', 'Z===', '=Zm9', 'Zm 9', 'Zm9vé==='])('refuses %j', (text) => {
    expect(() => fromBase64(text)).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }));
    try { fromBase64(text); } catch (e) { expect(isFirmwareError(e, 'ERR_MESSAGE_INVALID')).toBe(true); }
  });
});
