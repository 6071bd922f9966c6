import type { IPublishPacket } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttConnection, type ConnectionOptions } from '../../../../firmware/mqtt/connection.js';
import { InflightTable } from '../../../../firmware/mqtt/inflight.js';
import { createSystemClock } from '../../../../hosts/node/clock.js';
import { createNodeSocketPort } from '../../../../hosts/node/socket.js';
import { createSystemTimer } from '../../../../hosts/node/timer.js';
import { FakeBroker, politeBroker } from '../../../support/mqtt/fake-broker.js';

function options(port: number, extra: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return {
    socket: createNodeSocketPort(), timer: createSystemTimer(), clock: createSystemClock(),
    address: '127.0.0.1', port, connect: { clientId: 'c1', cleanSession: true, keepAliveS: 0 },
    inflight: new InflightTable(8), connectTimeoutMs: 5000, ...extra,
  };
}

describe('MqttConnection', () => {
  let fake: FakeBroker;
  afterEach(() => fake.close());

  it('writes a 20 kB PUBLISH through a 256-byte send buffer in pieces, waiting for onWritable; it arrives intact', async () => {
    fake = await new FakeBroker(politeBroker).start();
    const inflight = new InflightTable(2);
    const conn = new MqttConnection({ ...options(fake.port), socket: createNodeSocketPort({ sendBufferBytes: 256 }), inflight });
    expect(await conn.open()).toBe(false);
    const payload = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 31) & 0xff);
    const { message, done } = inflight.add('big/one', payload, false);
    conn.sendPublish(message);
    await done;
    const got = fake.all().find((p) => p.cmd === 'publish') as IPublishPacket;
    expect(new Uint8Array(got.payload as Buffer)).toEqual(payload);
    await conn.close();
  });

  it('MQTT-3.9.3-1: subscribe resolves with the SUBACK codes in filter order; unsubscribe with UNSUBACK', async () => {
    fake = await new FakeBroker((p, c) => {
      if (p.cmd === 'subscribe') return c.send({ cmd: 'suback', messageId: p.messageId, granted: [1, 0x80] });
      if (p.cmd === 'unsubscribe') return c.send({ cmd: 'unsuback', messageId: p.messageId, granted: [] });
      politeBroker(p, c);
    }).start();
    const inflight = new InflightTable(2);
    const conn = new MqttConnection({ ...options(fake.port), inflight });
    await conn.open();
    expect(await conn.subscribe([{ filter: 'a/+', qos: 1 }, { filter: 'b/#', qos: 0 }])).toEqual([1, 0x80]);
    await conn.unsubscribe(['a/+']);
    // MQTT-2.3.1-2: the ids of settled requests are free again.
    const sub = fake.all().find((p) => p.cmd === 'subscribe') as { messageId: number };
    expect(inflight.ids.inUse(sub.messageId)).toBe(false);
    await conn.close();
  });

  it('a QoS 0 publish carries no packet id and takes no slot', async () => {
    fake = await new FakeBroker(politeBroker).start();
    const inflight = new InflightTable(1);
    const conn = new MqttConnection({ ...options(fake.port), inflight });
    await conn.open();
    conn.publishQos0('t/0', Uint8Array.of(5));
    await fake.waitFor(() => fake.all().some((p) => p.cmd === 'publish'));
    const p = fake.all().find((x) => x.cmd === 'publish') as IPublishPacket;
    expect(p.qos).toBe(0);
    expect(p.messageId).toBeUndefined();
    expect(inflight.size).toBe(0);
    await conn.close();
  });

  it('an incoming QoS 1 message refused by the application (it threw) is not acknowledged', async () => {
    fake = await new FakeBroker((p, c) => {
      politeBroker(p, c);
      if (p.cmd === 'connect') {
        c.send({ cmd: 'publish', topic: 'd/1', payload: Buffer.from('no'), qos: 1, messageId: 11, dup: false, retain: false });
        c.send({ cmd: 'publish', topic: 'd/2', payload: Buffer.from('yes'), qos: 1, messageId: 12, dup: false, retain: false });
      }
    }).start();
    const seen: string[] = [];
    const conn = new MqttConnection({
      ...options(fake.port),
      onMessage: (topic) => {
        seen.push(topic);
        if (topic === 'd/1') throw new Error('not now');
      },
    });
    await conn.open();
    await fake.waitFor(() => fake.all().some((p) => p.cmd === 'puback'));
    expect(seen).toEqual(['d/1', 'd/2']);
    expect(fake.all().filter((p) => p.cmd === 'puback').map((p) => (p as { messageId: number }).messageId)).toEqual([12]);
    await conn.close();
  });

  it('a broker that closes the connection ends it with ERR_SOCKET_CLOSED through onLost; subscribe then fails with it', async () => {
    fake = await new FakeBroker((p, c) => {
      if (p.cmd === 'subscribe') return c.destroy();
      politeBroker(p, c);
    }).start();
    let lost: { code: string } | undefined;
    const conn = new MqttConnection({ ...options(fake.port), onLost: (e) => (lost = e) });
    await conn.open();
    await expect(conn.subscribe([{ filter: 'x', qos: 1 }])).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
    expect(lost?.code).toBe('ERR_SOCKET_CLOSED');
    expect(conn.connected).toBe(false);
  });

  it('open() rejects with ERR_SOCKET_CONNECT when nothing listens, and with ERR_MQTT_TOPIC for a bad will before any byte', async () => {
    fake = await new FakeBroker(politeBroker).start();
    const port = fake.port;
    await expect(new MqttConnection(options(port, { connect: { clientId: 'c', cleanSession: true, keepAliveS: 0, will: { topic: 'a/#', payload: new Uint8Array(0), qos: 1, retain: true } } })).open())
      .rejects.toMatchObject({ code: 'ERR_MQTT_TOPIC' });
    expect(fake.connections).toHaveLength(0);
    await fake.close();
    await expect(new MqttConnection(options(port)).open()).rejects.toMatchObject({ code: 'ERR_SOCKET_CONNECT' });
    fake = await new FakeBroker(politeBroker).start();
  });
});
