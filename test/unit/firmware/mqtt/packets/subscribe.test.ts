import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSubscribe } from '../../../../../firmware/mqtt/packets/subscribe.js';
import { encodeUnsubscribe } from '../../../../../firmware/mqtt/packets/unsubscribe.js';
import { generate, parseOne, toHex } from '../../../../support/mqtt/mqtt-packet.js';

const protocolError = expect.objectContaining({ code: 'ERR_MQTT_PROTOCOL' });
const filterArb = fc.array(fc.oneof(fc.constant('+'), fc.string({ unit: 'grapheme', minLength: 0, maxLength: 8 }).filter((s) => !/[+#/\u0000]/.test(s))), { minLength: 1, maxLength: 5 })
  .chain((levels) => fc.boolean().map((hash) => (hash ? [...levels, '#'] : levels).join('/')))
  .filter((f) => f.length > 0);

describe('SUBSCRIBE (section 3.8)', () => {
  it('encodes the protocols.md example: id 2, "n/1/cmd/#" at QoS 1', () => {
    expect(toHex(encodeSubscribe({ type: 'subscribe', packetId: 2, subscriptions: [{ filter: 'n/1/cmd/#', qos: 1 }] }))).toBe('820e0002' + '00096e2f312f636d642f23' + '01');
  });

  it('MQTT-3.8.1-1: fixed header flags 0010; MQTT-3.8.3-3: at least one filter', () => {
    expect(encodeSubscribe({ type: 'subscribe', packetId: 1, subscriptions: [{ filter: 'a', qos: 0 }] })[0]).toBe(0x82);
    expect(() => encodeSubscribe({ type: 'subscribe', packetId: 1, subscriptions: [] })).toThrowError(protocolError);
  });

  it('MQTT-4.7.1-2: refuses an invalid filter before anything is sent', () => {
    expect(() => encodeSubscribe({ type: 'subscribe', packetId: 1, subscriptions: [{ filter: 'a/#/b', qos: 1 }] })).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_TOPIC' }));
  });

  it('property: equals mqtt-packet generate and parses back', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), fc.array(fc.record({ filter: filterArb, qos: fc.constantFrom(0 as const, 1 as const) }), { minLength: 1, maxLength: 4 }), (id, subs) => {
      const ours = encodeSubscribe({ type: 'subscribe', packetId: id, subscriptions: subs });
      expect(toHex(ours)).toBe(toHex(generate({ cmd: 'subscribe', messageId: id, subscriptions: subs.map((s) => ({ topic: s.filter, qos: s.qos })) })));
      expect(parseOne(ours)).toMatchObject({ cmd: 'subscribe', messageId: id, subscriptions: subs.map((s) => ({ topic: s.filter, qos: s.qos })) });
    }), { numRuns: 300 });
  });
});

describe('UNSUBSCRIBE (section 3.10)', () => {
  it('MQTT-3.10.1-1: flags 0010; MQTT-3.10.3-2: at least one filter', () => {
    expect(encodeUnsubscribe({ type: 'unsubscribe', packetId: 3, filters: ['a/+'] })[0]).toBe(0xa2);
    expect(() => encodeUnsubscribe({ type: 'unsubscribe', packetId: 3, filters: [] })).toThrowError(protocolError);
  });

  it('property: equals mqtt-packet generate and parses back', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), fc.array(filterArb, { minLength: 1, maxLength: 4 }), (id, filters) => {
      const ours = encodeUnsubscribe({ type: 'unsubscribe', packetId: id, filters });
      expect(toHex(ours)).toBe(toHex(generate({ cmd: 'unsubscribe', messageId: id, unsubscriptions: filters })));
      expect(parseOne(ours)).toMatchObject({ cmd: 'unsubscribe', messageId: id, unsubscriptions: filters });
    }), { numRuns: 300 });
  });
});
