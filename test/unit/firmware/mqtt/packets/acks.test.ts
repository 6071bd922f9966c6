import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeConnack, handleConnack } from '../../../../../firmware/mqtt/packets/connack.js';
import { decodePingresp, handlePingresp } from '../../../../../firmware/mqtt/packets/pingresp.js';
import { encodePingreq } from '../../../../../firmware/mqtt/packets/pingreq.js';
import { encodeDisconnect } from '../../../../../firmware/mqtt/packets/disconnect.js';
import { decodePuback, encodePuback, handlePuback } from '../../../../../firmware/mqtt/packets/puback.js';
import { decodeSuback, handleSuback } from '../../../../../firmware/mqtt/packets/suback.js';
import { decodeUnsuback, handleUnsuback } from '../../../../../firmware/mqtt/packets/unsuback.js';
import { generate, hex, parseOne, toHex } from '../../../../support/mqtt/mqtt-packet.js';
import { RecordingSession } from '../../../../support/mqtt/recording-session.js';

const protocolError = expect.objectContaining({ code: 'ERR_MQTT_PROTOCOL' });
const body = (wire: Uint8Array): Uint8Array => wire.subarray(2);

describe('CONNACK (section 3.2)', () => {
  it('decodes what mqtt-packet generates for every return code and session-present flag', () => {
    for (const returnCode of [0, 1, 2, 3, 4, 5]) {
      for (const sessionPresent of returnCode === 0 ? [false, true] : [false]) {
        const wire = generate({ cmd: 'connack', returnCode, sessionPresent });
        expect(decodeConnack(body(wire))).toEqual({ type: 'connack', returnCode, sessionPresent });
      }
    }
    expect(decodeConnack(hex('0100'))).toEqual({ type: 'connack', sessionPresent: true, returnCode: 0 });
  });

  it('section 3.2.2.1: reserved acknowledge flag bits must be 0; the body is exactly 2 bytes', () => {
    expect(() => decodeConnack(hex('0200'))).toThrowError(protocolError);
    expect(() => decodeConnack(hex('00'))).toThrowError(protocolError);
    expect(() => decodeConnack(hex('000000'))).toThrowError(protocolError);
  });

  it('MQTT-3.2.2-4 and section 3.2.2.3: a refusal fails with ERR_MQTT_CONNACK_REFUSED carrying the return code', () => {
    for (const code of [1, 2, 3, 4, 5, 6]) {
      const s = new RecordingSession({ connected: false });
      handleConnack(s, { type: 'connack', sessionPresent: false, returnCode: code });
      expect(s.failures[0]).toMatchObject({ code: 'ERR_MQTT_CONNACK_REFUSED', details: { returnCode: code } });
      expect(s.acceptedWith).toBeUndefined();
    }
    const s = new RecordingSession({ connected: false });
    handleConnack(s, { type: 'connack', sessionPresent: true, returnCode: 5 });
    expect(s.failures[0]).toMatchObject({ code: 'ERR_MQTT_PROTOCOL' });
  });

  it('MQTT-3.2.0-1: an accepting CONNACK once; a second one is a violation', () => {
    const s = new RecordingSession({ connected: false });
    handleConnack(s, { type: 'connack', sessionPresent: true, returnCode: 0 });
    expect(s.acceptedWith).toBe(true);
    handleConnack(s, { type: 'connack', sessionPresent: false, returnCode: 0 });
    expect(s.failures[0]).toMatchObject({ code: 'ERR_MQTT_PROTOCOL' });
  });
});

describe('PUBACK (section 3.4)', () => {
  it('MQTT-2.3.1-6: carries the id of the PUBLISH, as mqtt-packet writes and reads it', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), (id) => {
      const ours = encodePuback(id);
      expect(toHex(ours)).toBe(toHex(generate({ cmd: 'puback', messageId: id })));
      expect(parseOne(ours)).toMatchObject({ cmd: 'puback', messageId: id });
      expect(decodePuback(body(ours))).toEqual({ type: 'puback', packetId: id });
    }), { numRuns: 200 });
  });

  it('MQTT-2.3.1-1: id 0 and a wrong length are protocol errors', () => {
    expect(() => decodePuback(hex('0000'))).toThrowError(protocolError);
    expect(() => decodePuback(hex('00'))).toThrowError(protocolError);
    expect(() => decodePuback(hex('000100'))).toThrowError(protocolError);
    expect(() => encodePuback(0)).toThrowError(protocolError);
  });

  it('frees the in-flight entry; an unknown id is ignored (a broker may ack a resend twice)', () => {
    const s = new RecordingSession();
    s.inflight.add(7);
    handlePuback(s, { type: 'puback', packetId: 7 });
    handlePuback(s, { type: 'puback', packetId: 7 });
    expect(s.acknowledged).toEqual([7, 7]);
    expect(s.failures).toEqual([]);
  });
});

describe('SUBACK (section 3.9) and UNSUBACK (section 3.11)', () => {
  it('MQTT-3.9.3-1: one return code per filter, in order, as mqtt-packet writes them', () => {
    const wire = generate({ cmd: 'suback', messageId: 2, granted: [1, 0x80, 0] });
    expect(toHex(wire)).toBe('9005000201' + '8000');
    expect(decodeSuback(body(wire))).toEqual({ type: 'suback', packetId: 2, returnCodes: [1, 0x80, 0] });
  });

  it('MQTT-3.9.3-2: reserved return codes are protocol errors', () => {
    expect(() => decodeSuback(hex('000203'))).toThrowError(protocolError);
    expect(() => decodeSuback(hex('00027f'))).toThrowError(protocolError);
    expect(() => decodeSuback(hex('0002'))).toThrowError(protocolError);
  });

  it('MQTT-3.8.4-2: a SUBACK or UNSUBACK for an id we did not send fails the connection', () => {
    const s = new RecordingSession();
    handleSuback(s, { type: 'suback', packetId: 4, returnCodes: [1] });
    expect(s.failures[0]).toMatchObject({ code: 'ERR_MQTT_PROTOCOL' });
    const u = new RecordingSession();
    u.pending.set(5, 'subscribe');
    handleUnsuback(u, { type: 'unsuback', packetId: 5 });
    expect(u.failures[0]).toMatchObject({ code: 'ERR_MQTT_PROTOCOL' });
  });

  it('settles the matching request', () => {
    const s = new RecordingSession();
    s.pending.set(4, 'subscribe');
    handleSuback(s, { type: 'suback', packetId: 4, returnCodes: [1] });
    expect(s.settled).toEqual([{ id: 4, kind: 'subscribe', codes: [1] }]);
    s.pending.set(9, 'unsubscribe');
    handleUnsuback(s, decodeUnsuback(body(generate({ cmd: 'unsuback', messageId: 9, granted: [] }))));
    expect(s.settled[1]).toMatchObject({ id: 9, kind: 'unsubscribe' });
    expect(s.failures).toEqual([]);
  });

  it('UNSUBACK is exactly 2 bytes', () => {
    expect(() => decodeUnsuback(hex('000100'))).toThrowError(protocolError);
  });
});

describe('PINGREQ, PINGRESP, DISCONNECT (sections 3.12-3.14)', () => {
  it('encode as mqtt-packet does', () => {
    expect(toHex(encodePingreq())).toBe(toHex(generate({ cmd: 'pingreq' })));
    expect(toHex(encodeDisconnect())).toBe(toHex(generate({ cmd: 'disconnect' })));
    expect(toHex(encodePingreq())).toBe('c000');
    expect(toHex(encodeDisconnect())).toBe('e000');
  });

  it('MQTT-3.12.4-1: PINGRESP answers the ping; a PINGRESP with a body is malformed', () => {
    const s = new RecordingSession();
    handlePingresp(s, decodePingresp(body(generate({ cmd: 'pingresp' }))));
    expect(s.pings).toBe(1);
    expect(() => decodePingresp(hex('00'))).toThrowError(protocolError);
  });
});
