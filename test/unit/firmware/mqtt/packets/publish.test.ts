import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePublish, encodePublish, handlePublish } from '../../../../../firmware/mqtt/packets/publish.js';
import type { PublishPacket } from '../../../../../firmware/mqtt/packets/types.js';
import { FrameReader } from '../../../../../firmware/mqtt/frame.js';
import { generate, hex, parseOne, toHex } from '../../../../support/mqtt/mqtt-packet.js';
import { RecordingSession } from '../../../../support/mqtt/recording-session.js';

const protocolError = expect.objectContaining({ code: 'ERR_MQTT_PROTOCOL' });

function reference(p: PublishPacket): Uint8Array {
  return generate({ cmd: 'publish', topic: p.topic, payload: Buffer.from(p.payload), qos: p.qos, dup: p.dup, retain: p.retain, ...(p.packetId === undefined ? {} : { messageId: p.packetId }) });
}

function decodeWire(bytes: Uint8Array): PublishPacket {
  const r = new FrameReader(1 << 20);
  r.push(bytes);
  const f = r.next()!;
  return decodePublish(f.flags, f.body);
}

const topicArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !/[+#\u0000]/.test(s));

describe('PUBLISH (section 3.3)', () => {
  it('encodes the protocols.md example: QoS 1 "n/1/up" id 1 payload "hi", and its resend with DUP', () => {
    const p: PublishPacket = { type: 'publish', topic: 'n/1/up', payload: Uint8Array.of(0x68, 0x69), qos: 1, retain: false, dup: false, packetId: 1 };
    expect(toHex(encodePublish(p))).toBe('320c00066e2f312f757000016869');
    expect(toHex(encodePublish({ ...p, dup: true }))).toBe('3a0c00066e2f312f757000016869');
  });

  it('MQTT-3.3.1-1: a re-delivery carries DUP; MQTT-3.3.1-2: never at QoS 0', () => {
    expect(() => encodePublish({ type: 'publish', topic: 'a', payload: new Uint8Array(0), qos: 0, retain: false, dup: true })).toThrowError(protocolError);
    expect(() => decodeWire(hex('3803 0001 61'))).toThrowError(protocolError);
  });

  it('MQTT-2.3.1-5: no packet id at QoS 0; MQTT-2.3.1-1: a non-zero one at QoS 1', () => {
    expect(() => encodePublish({ type: 'publish', topic: 'a', payload: new Uint8Array(0), qos: 0, retain: false, dup: false, packetId: 3 })).toThrowError(protocolError);
    expect(() => encodePublish({ type: 'publish', topic: 'a', payload: new Uint8Array(0), qos: 1, retain: false, dup: false, packetId: 0 })).toThrowError(protocolError);
    expect(() => encodePublish({ type: 'publish', topic: 'a', payload: new Uint8Array(0), qos: 1, retain: false, dup: false })).toThrowError(protocolError);
    expect(() => decodeWire(hex('3205 0001 61 0000'))).toThrowError(protocolError);
  });

  it('MQTT-3.3.1-4: QoS bits 11 are malformed', () => {
    expect(() => decodeWire(hex('3605 0001 61 0001'))).toThrowError(protocolError);
  });

  it('MQTT-3.3.2-2: no wildcard in the topic name, either way', () => {
    expect(() => encodePublish({ type: 'publish', topic: 'a/#', payload: new Uint8Array(0), qos: 0, retain: false, dup: false })).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_TOPIC' }));
    expect(() => decodeWire(hex('3003 0001 23'))).toThrowError(protocolError);
    expect(() => decodeWire(hex('3002 0000'))).toThrowError(protocolError);
  });

  it('MQTT-1.5.3-1: an ill-formed UTF-8 topic from the server is a protocol error', () => {
    expect(() => decodeWire(hex('3004 0002 c3 28'))).toThrowError(protocolError);
    expect(() => decodeWire(hex('3005 0003 ed a0 80'))).toThrowError(protocolError); // encoded surrogate
    expect(() => decodeWire(hex('3003 0001 00'))).toThrowError(protocolError); // MQTT-1.5.3-2
  });

  it('refuses a topic length that runs past the packet', () => {
    expect(() => decodeWire(hex('3003 0005 61'))).toThrowError(protocolError);
  });

  it('MQTT-4.3.2-2: a QoS 1 message is acknowledged with PUBACK carrying its id once the application took it', () => {
    const session = new RecordingSession();
    handlePublish(session, { type: 'publish', topic: 'd', payload: Uint8Array.of(1), qos: 1, retain: false, dup: false, packetId: 0x1234 });
    expect(session.delivered).toHaveLength(1);
    expect(session.sent.map(toHex)).toEqual(['40021234']);
    const refusing = new RecordingSession({ refuse: true });
    handlePublish(refusing, { type: 'publish', topic: 'd', payload: Uint8Array.of(1), qos: 1, retain: false, dup: false, packetId: 7 });
    expect(refusing.sent).toEqual([]);
  });

  it('MQTT-3.8.4-6: a QoS 2 message to a client that subscribed at QoS <= 1 fails the connection', () => {
    const session = new RecordingSession();
    handlePublish(session, { type: 'publish', topic: 'd', payload: Uint8Array.of(1), qos: 2, retain: false, dup: false, packetId: 7 });
    expect(session.failures[0]).toMatchObject({ code: 'ERR_MQTT_PROTOCOL' });
    expect(session.delivered).toEqual([]);
  });

  it('QoS 0 messages are delivered and never acknowledged', () => {
    const session = new RecordingSession();
    handlePublish(session, { type: 'publish', topic: 'd', payload: Uint8Array.of(1), qos: 0, retain: true, dup: false });
    expect(session.delivered).toEqual([{ topic: 'd', payload: Uint8Array.of(1), retain: true, dup: false }]);
    expect(session.sent).toEqual([]);
  });

  it('property: encode equals mqtt-packet generate; mqtt-packet parses ours; we decode theirs (QoS 0/1, retain, dup)', () => {
    const arb = fc.record({
      topic: topicArb,
      payload: fc.uint8Array({ maxLength: 300 }),
      qos: fc.constantFrom(0 as const, 1 as const),
      retain: fc.boolean(),
      dup: fc.boolean(),
      packetId: fc.integer({ min: 1, max: 65535 }),
    });
    fc.assert(fc.property(arb, (r) => {
      const p: PublishPacket = r.qos === 0
        ? { type: 'publish', topic: r.topic, payload: r.payload, qos: 0, retain: r.retain, dup: false }
        : { type: 'publish', topic: r.topic, payload: r.payload, qos: 1, retain: r.retain, dup: r.dup, packetId: r.packetId };
      const ours = encodePublish(p);
      const theirs = reference(p);
      expect(toHex(ours)).toBe(toHex(theirs));
      const parsed = parseOne(ours) as { topic: string; payload: Buffer; qos: number; retain: boolean; dup: boolean; messageId?: number };
      expect(parsed.topic).toBe(p.topic);
      expect(new Uint8Array(parsed.payload)).toEqual(p.payload);
      expect(decodeWire(theirs)).toEqual(p);
    }), { numRuns: 500 });
  });

  it('decodes an incoming QoS 2 PUBLISH (for the handler to refuse) as mqtt-packet writes it', () => {
    const wire = generate({ cmd: 'publish', topic: 'x', payload: Buffer.from('y'), qos: 2, dup: false, retain: false, messageId: 9 });
    expect(decodeWire(wire)).toMatchObject({ qos: 2, packetId: 9 });
  });
});
