import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRemainingLength, encodeRemainingLength, MAX_REMAINING_LENGTH } from '../../../../firmware/mqtt/varint.js';
import { generate, hex, toHex } from '../../../support/mqtt/mqtt-packet.js';

describe('remaining length (section 2.2.3)', () => {
  // Table of protocols.md section 4.1 (computed with mqtt-packet).
  const vectors: Array<[number, string]> = [[0, '00'], [127, '7f'], [128, '8001'], [16383, 'ff7f'], [16384, '808001'], [2097151, 'ffff7f'], [2097152, '80808001'], [268435455, 'ffffff7f']];
  for (const [value, bytes] of vectors) {
    it(`encodes ${value} as ${bytes} and back`, () => {
      expect(toHex(encodeRemainingLength(value))).toBe(bytes);
      expect(decodeRemainingLength(hex(bytes), 0)).toEqual({ value, size: bytes.length / 2 });
    });
  }

  it('section 2.2.3: refuses a fifth length byte (ERR_MQTT_PROTOCOL)', () => {
    expect(() => decodeRemainingLength(hex('ffffffff7f'), 0)).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_PROTOCOL' }));
    expect(() => decodeRemainingLength(hex('8080808001'), 0)).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_PROTOCOL' }));
  });

  it('refuses to encode values beyond 268 435 455 or negative', () => {
    for (const v of [MAX_REMAINING_LENGTH + 1, -1, 1.5]) {
      expect(() => encodeRemainingLength(v)).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_PROTOCOL' }));
    }
  });

  it('asks for more bytes while the continuation bit is set', () => {
    expect(decodeRemainingLength(hex('80'), 0)).toBeUndefined();
    expect(decodeRemainingLength(hex('ffff'), 0)).toBeUndefined();
    expect(decodeRemainingLength(hex(''), 0)).toBeUndefined();
  });

  it('property: round-trips every length and matches the header mqtt-packet writes', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: MAX_REMAINING_LENGTH }), (n) => {
      const enc = encodeRemainingLength(n);
      expect(decodeRemainingLength(enc, 0)).toEqual({ value: n, size: enc.length });
    }), { numRuns: 2000 });
    // mqtt-packet's encoder, seen through a QoS 0 PUBLISH whose body length we choose.
    fc.assert(fc.property(fc.integer({ min: 0, max: 70000 }), (payloadLength) => {
      const wire = generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(payloadLength), qos: 0, dup: false, retain: false });
      const enc = encodeRemainingLength(3 + payloadLength);
      expect(toHex(wire.subarray(1, 1 + enc.length))).toBe(toHex(enc));
    }), { numRuns: 200 });
  });
});
