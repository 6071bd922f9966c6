import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFirmwareError } from '../../../../firmware/index.js';
import { decodePacket, dispatch } from '../../../../firmware/mqtt/dispatch.js';
import { FrameReader } from '../../../../firmware/mqtt/frame.js';
import { generate, hex } from '../../../support/mqtt/mqtt-packet.js';
import { RecordingSession } from '../../../support/mqtt/recording-session.js';

function frames(bytes: Uint8Array) {
  const r = new FrameReader(1 << 16);
  r.push(bytes);
  const out = [];
  for (let f = r.next(); f !== undefined; f = r.next()) out.push(f);
  return out;
}

function run(session: RecordingSession, bytes: Uint8Array): void {
  for (const f of frames(bytes)) dispatch(session, f);
}

describe('dispatch', () => {
  it('MQTT-3.2.0-1: anything before CONNACK fails the connection', () => {
    const s = new RecordingSession({ connected: false });
    run(s, generate({ cmd: 'puback', messageId: 1 }));
    expect(s.failures[0]).toMatchObject({ code: 'ERR_MQTT_PROTOCOL' });
    expect(s.acknowledged).toEqual([]);
  });

  it('MQTT-2.2.2-2: wrong reserved flag bits fail the connection', () => {
    for (const wire of ['42020001', '21020000', '92030001' + '01', 'd100', 'b1020001']) {
      const s = new RecordingSession();
      run(s, hex(wire));
      expect(s.failures[0], wire).toMatchObject({ code: 'ERR_MQTT_PROTOCOL' });
    }
  });

  it('section 2.2.1 directions: packets a server never sends a client (and QoS 2 flows) fail the connection', () => {
    for (const cmd of ['pingreq', 'disconnect', 'pubrec', 'pubcomp'] as const) {
      const s = new RecordingSession();
      run(s, generate(cmd === 'pubrec' || cmd === 'pubcomp' ? { cmd, messageId: 1 } : { cmd }));
      expect(s.failures[0], cmd).toMatchObject({ code: 'ERR_MQTT_PROTOCOL' });
    }
    const s = new RecordingSession();
    run(s, generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] }));
    expect(s.failures[0]).toMatchObject({ code: 'ERR_MQTT_PROTOCOL' });
  });

  it('routes each packet to its handler', () => {
    const s = new RecordingSession({ connected: false });
    s.inflight.add(3);
    run(s, Uint8Array.from([
      ...generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }),
      ...generate({ cmd: 'puback', messageId: 3 }),
      ...generate({ cmd: 'pingresp' }),
      ...generate({ cmd: 'publish', topic: 'n/d/down', payload: Buffer.from('x'), qos: 1, messageId: 5, dup: false, retain: false }),
    ]));
    expect(s.failures).toEqual([]);
    expect(s.acceptedWith).toBe(false);
    expect(s.acknowledged).toEqual([3]);
    expect(s.pings).toBe(1);
    expect(s.delivered.map((d) => d.topic)).toEqual(['n/d/down']);
    expect(s.sent.length).toBe(1);
  });

  it('property: any bytes from a server either decode or fail with ERR_MQTT_PROTOCOL, never another exception', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
      const s = new RecordingSession();
      try {
        run(s, bytes);
      } catch (error) {
        expect(isFirmwareError(error, 'ERR_MQTT_PROTOCOL')).toBe(true);
      }
      for (const f of s.failures) expect(['ERR_MQTT_PROTOCOL', 'ERR_MQTT_CONNACK_REFUSED']).toContain(f.code);
    }), { numRuns: 3000 });
  });

  it('decodePacket agrees with mqtt-packet on every server-to-client packet type', () => {
    const cases = [
      [generate({ cmd: 'connack', returnCode: 0, sessionPresent: true }), { type: 'connack', returnCode: 0, sessionPresent: true }],
      [generate({ cmd: 'puback', messageId: 65535 }), { type: 'puback', packetId: 65535 }],
      [generate({ cmd: 'suback', messageId: 1, granted: [0] }), { type: 'suback', packetId: 1, returnCodes: [0] }],
      [generate({ cmd: 'unsuback', messageId: 2, granted: [] }), { type: 'unsuback', packetId: 2 }],
      [generate({ cmd: 'pingresp' }), { type: 'pingresp' }],
    ] as const;
    for (const [wire, expected] of cases) expect(decodePacket(frames(wire)[0]!)).toEqual(expected);
  });
});

describe('FrameReader', () => {
  it('reassembles packets split at every byte boundary', () => {
    const wire = Uint8Array.from([...generate({ cmd: 'publish', topic: 'a/b', payload: Buffer.alloc(300, 7), qos: 1, messageId: 9, dup: false, retain: false }), ...generate({ cmd: 'pingresp' })]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const r = new FrameReader(1024);
      r.push(wire.subarray(0, cut));
      const got = [];
      for (let f = r.next(); f !== undefined; f = r.next()) got.push(f.type);
      r.push(wire.subarray(cut));
      for (let f = r.next(); f !== undefined; f = r.next()) got.push(f.type);
      expect(got).toEqual([3, 13]);
    }
  });

  it('refuses a packet over the size limit from its header alone', () => {
    const r = new FrameReader(100);
    r.push(hex('30ff7f'));
    expect(() => r.next()).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_PROTOCOL' }));
  });

  it('section 2.2.1: reserved packet types 0 and 15 are refused', () => {
    for (const wire of ['0000', 'f000']) {
      const r = new FrameReader(100);
      r.push(hex(wire));
      expect(() => r.next()).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_PROTOCOL' }));
    }
  });
});
