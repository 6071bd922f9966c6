import { describe, expect, it } from 'vitest';
import { encode } from '../../../../firmware/codec/cbor.js';
import { isFirmwareError } from '../../../../firmware/errors.js';
import { decodeRetainedRecord, encodeRetainedRecord } from '../../../../firmware/node/retained-record.js';

function code(bytes: Uint8Array): string | undefined {
  try {
    decodeRetainedRecord(bytes);
  } catch (error) {
    return isFirmwareError(error) ? error.code : 'other';
  }
  return undefined;
}

describe('retained record', () => {
  it('round-trips sections as a CBOR map of section number to bytes', () => {
    const sections = new Map([[0, Uint8Array.of(1)], [6, Uint8Array.of(2, 3)]]);
    const bytes = encodeRetainedRecord(sections);
    expect(bytes[0]).toBe(0xa2);
    expect(decodeRetainedRecord(bytes)).toEqual(sections);
    expect(decodeRetainedRecord(encode({}))).toEqual(new Map());
  });
  it('refuses anything else with ERR_STATE_CORRUPT', () => {
    expect(code(Uint8Array.of(0xa1, 0x00))).toBe('ERR_STATE_CORRUPT'); // truncated
    expect(code(encode([1, 2]))).toBe('ERR_STATE_CORRUPT');
    expect(code(encode(new Map([[0, 5]])))).toBe('ERR_STATE_CORRUPT');
    expect(code(encode(new Map([[-1, Uint8Array.of(1)]])))).toBe('ERR_STATE_CORRUPT');
    expect(code(encode({ a: Uint8Array.of(1) }))).toBe('ERR_STATE_CORRUPT');
    expect(code(new Uint8Array(0))).toBe('ERR_STATE_CORRUPT');
  });
});
