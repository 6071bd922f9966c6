import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeConnect } from '../../../../../firmware/mqtt/packets/connect.js';
import type { ConnectPacket } from '../../../../../firmware/mqtt/packets/types.js';
import { ascii, generate, parseOne, toHex } from '../../../../support/mqtt/mqtt-packet.js';

const protocolError = expect.objectContaining({ code: 'ERR_MQTT_PROTOCOL' });

function reference(p: ConnectPacket) {
  return generate({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: p.cleanSession, clientId: p.clientId, keepalive: p.keepAliveS,
    ...(p.will === undefined ? {} : { will: { topic: p.will.topic, payload: Buffer.from(p.will.payload), qos: p.will.qos, retain: p.will.retain } }),
    ...(p.username === undefined ? {} : { username: p.username }),
    ...(p.password === undefined ? {} : { password: Buffer.from(p.password) }),
  });
}

describe('CONNECT (section 3.1)', () => {
  it('encodes the protocols.md example byte for byte: client "node1", clean session, keep alive 60', () => {
    const bytes = encodeConnect({ type: 'connect', clientId: 'node1', cleanSession: true, keepAliveS: 60 });
    expect(toHex(bytes)).toBe('101100044d5154540402003c00056e6f646531');
  });

  it('MQTT-3.1.3-1: payload order client id, will topic, will message, user name, password (as mqtt-packet)', () => {
    const p: ConnectPacket = {
      type: 'connect', clientId: 'dev-1', cleanSession: false, keepAliveS: 30,
      will: { topic: 'n/dev-1/status', payload: Uint8Array.of(0xa1, 0x61, 0x6f, 0xf4), qos: 1, retain: true },
      username: 'user', password: ascii('secret'),
    };
    const bytes = encodeConnect(p);
    expect(toHex(bytes)).toBe(toHex(reference(p)));
    const parsed = parseOne(bytes) as { will: { topic: string; qos: number; retain: boolean }; username: string; clean: boolean };
    expect(parsed.will).toMatchObject({ topic: 'n/dev-1/status', qos: 1, retain: true });
    expect(parsed.username).toBe('user');
    expect(parsed.clean).toBe(false);
  });

  it('MQTT-3.1.2-3: the reserved flag bit 0 stays 0; MQTT-3.1.2-11/13/15: no will means will QoS and retain 0', () => {
    const bytes = encodeConnect({ type: 'connect', clientId: 'a', cleanSession: true, keepAliveS: 0 });
    expect(bytes[9]).toBe(0x02);
  });

  it('MQTT-3.1.2-22: refuses a password without a user name', () => {
    expect(() => encodeConnect({ type: 'connect', clientId: 'a', cleanSession: true, keepAliveS: 0, password: ascii('x') })).toThrowError(protocolError);
  });

  it('MQTT-3.1.3-7: refuses an empty client id without clean session', () => {
    expect(() => encodeConnect({ type: 'connect', clientId: '', cleanSession: false, keepAliveS: 0 })).toThrowError(protocolError);
    expect(toHex(encodeConnect({ type: 'connect', clientId: '', cleanSession: true, keepAliveS: 0 }))).toBe(toHex(reference({ type: 'connect', clientId: '', cleanSession: true, keepAliveS: 0 })));
  });

  it('refuses a keep alive outside 0..65535 and a will topic with a wildcard', () => {
    expect(() => encodeConnect({ type: 'connect', clientId: 'a', cleanSession: true, keepAliveS: 65536 })).toThrowError(protocolError);
    expect(() => encodeConnect({ type: 'connect', clientId: 'a', cleanSession: true, keepAliveS: 1, will: { topic: 'a/#', payload: new Uint8Array(0), qos: 0, retain: false } }))
      .toThrowError(expect.objectContaining({ code: 'ERR_MQTT_TOPIC' }));
  });

  it('property: equals mqtt-packet generate, and mqtt-packet parses it back, for any options', () => {
    const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => !/[+#\u0000]/.test(s));
    const arb = fc.record({
      clientId: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 23 }).filter((s) => !s.includes('\u0000')),
      cleanSession: fc.boolean(),
      keepAliveS: fc.integer({ min: 0, max: 65535 }),
      will: fc.option(fc.record({ topic: name, payload: fc.uint8Array({ maxLength: 64 }), qos: fc.constantFrom(0 as const, 1 as const), retain: fc.boolean() }), { nil: undefined }),
      username: fc.option(fc.string({ maxLength: 20 }).filter((s) => !s.includes('\u0000')), { nil: undefined }),
      password: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: undefined }),
    });
    fc.assert(fc.property(arb, (r) => {
      const p: ConnectPacket = { type: 'connect', clientId: r.clientId, cleanSession: r.cleanSession, keepAliveS: r.keepAliveS };
      if (r.will !== undefined) p.will = r.will;
      if (r.username !== undefined) {
        p.username = r.username;
        if (r.password !== undefined) p.password = r.password;
      }
      const bytes = encodeConnect(p);
      expect(toHex(bytes)).toBe(toHex(reference(p)));
      const parsed = parseOne(bytes) as { clientId: string; keepalive: number };
      expect(parsed.clientId).toBe(p.clientId);
      expect(parsed.keepalive).toBe(p.keepAliveS);
    }), { numRuns: 300 });
  });
});
