import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../../firmware/codec/crc32.js';
import { otaSeqCrc } from '../../../../firmware/ota/otadata.js';

describe('crc32 (zlib semantics)', () => {
  it('matches the IEEE check value and zlib.crc32 with and without a starting value', () => {
    const check = Uint8Array.from('123456789', (c) => c.charCodeAt(0));
    expect(crc32(check)).toBe(0xcbf43926);
    for (let n = 0; n < 300; n += 37) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
      for (const start of [0, 1, 0xffffffff, 0x12345678]) expect(crc32(data, start)).toBe(zlibCrc32(data, start));
    }
  });

  it('chains: crc32(b, crc32(a)) = crc32(a + b)', () => {
    const a = Uint8Array.of(1, 2, 3);
    const b = Uint8Array.of(4, 5);
    expect(crc32(b, crc32(a))).toBe(crc32(Uint8Array.of(1, 2, 3, 4, 5)));
  });

  it('gives the ESP-IDF otadata CRCs of protocols.md section 5', () => {
    expect(otaSeqCrc(1)).toBe(0x4743989a);
    expect(otaSeqCrc(2)).toBe(0x55f63774);
    expect(otaSeqCrc(3)).toBe(0xed4a5011);
  });
});
