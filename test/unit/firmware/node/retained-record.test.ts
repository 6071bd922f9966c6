import { describe, expect, it } from 'vitest';
import { isFirmwareError } from '../../../../firmware/errors.js';
import { decodeRetainedRecord, encodeRetainedRecord, RETAINED_FORMAT } from '../../../../firmware/node/retained-record.js';
import { bytesToText, textToBytes } from '../../../../firmware/node/native.js';
import { utf8Encode } from '../../../../firmware/codec/utf8.js';

function code(bytes: Uint8Array): string | undefined {
  try {
    decodeRetainedRecord(bytes);
  } catch (error) {
    return isFirmwareError(error) ? error.code : 'other';
  }
  return undefined;
}

describe('retained record', () => {
  it('frames numbered sections: format byte, then (u8 number, u16 length, bytes)', () => {
    const sections = new Map([[0, Uint8Array.of(1)], [6, Uint8Array.of(2, 3)], [4, new Uint8Array(300)]]);
    const bytes = encodeRetainedRecord(sections);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([RETAINED_FORMAT, 0, 0, 1, 1, 6, 0, 2]);
    expect(bytes.length).toBe(1 + 4 + 5 + 303);
    expect(decodeRetainedRecord(bytes)).toEqual(sections);
    expect(decodeRetainedRecord(encodeRetainedRecord(new Map()))).toEqual(new Map());
  });
  it('refuses another format, torn frames and repeated sections with ERR_STATE_CORRUPT', () => {
    const good = encodeRetainedRecord(new Map([[0, Uint8Array.of(1, 2, 3)], [1, Uint8Array.of(4)]]));
    expect(code(good)).toBeUndefined();
    expect(code(new Uint8Array(0))).toBe('ERR_STATE_CORRUPT');
    expect(code(Uint8Array.of(1, 0, 0, 0))).toBe('ERR_STATE_CORRUPT'); // format 1 (CBOR) is not read
    // Every cut inside a frame is torn (a cut at the frame boundary, 7, is a shorter valid record).
    for (let cut = 2; cut < good.length; cut++) if (cut !== 7) expect(code(good.subarray(0, cut)), `cut at ${cut}`).toBe('ERR_STATE_CORRUPT');
    expect(code(Uint8Array.of(RETAINED_FORMAT, 0, 0, 0, 0, 0, 0))).toBe('ERR_STATE_CORRUPT');
  });
  it('refuses a section number outside a byte or a section too long to frame', () => {
    expect(() => encodeRetainedRecord(new Map([[256, Uint8Array.of(1)]]))).toThrow();
    expect(() => encodeRetainedRecord(new Map([[1, new Uint8Array(0x10000)]]))).toThrow();
  });
});

describe('text bytes (native UTF-8 when the engine has it)', () => {
  it('agrees with the portable codec, both ways', () => {
    for (const s of ['', '[1,2.5,null,"temp"]', 'température °C', '😀 𝄞']) {
      expect(textToBytes(s)).toEqual(utf8Encode(s));
      expect(bytesToText(textToBytes(s))).toBe(s);
    }
  });
  it('refuses malformed UTF-8', () => {
    expect(() => bytesToText(Uint8Array.of(0xc0, 0xae))).toThrow();
  });
});

describe('concatBytesNative', () => {
  it('joins parts, views included, into a new buffer', async () => {
    const { concatBytesNative: concatBytes } = await import('../../../../firmware/node/native.js');
    const big = Uint8Array.of(9, 1, 2, 3, 9);
    const joined = concatBytes([Uint8Array.of(0), big.subarray(1, 4), new Uint8Array(0), Uint8Array.of(4)]);
    expect(Array.from(joined)).toEqual([0, 1, 2, 3, 4]);
    expect(joined.buffer).not.toBe(big.buffer);
    expect(concatBytes([])).toEqual(new Uint8Array(0));
  });
});
