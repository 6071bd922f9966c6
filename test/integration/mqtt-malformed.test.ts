import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMqttLink } from '../../firmware/mqtt/link.js';
import { deviceTopics } from '../../firmware/mqtt/topics.js';
import { connectConsumer, Inbox, startAedes, uniqueId, type TestBroker } from '../support/mqtt/brokers.js';
import { FakeBroker, politeBroker } from '../support/mqtt/fake-broker.js';
import { hex } from '../support/mqtt/mqtt-packet.js';
import { realPorts } from '../support/mqtt/ports.js';

// Answers a fake broker gives to the device's first data PUBLISH instead of its PUBACK.
const MALFORMED: ReadonlyArray<[string, string]> = [
  ['PUBACK with reserved flag bits set [MQTT-2.2.2-2]', '42020001'],
  ['remaining length of five bytes (section 2.2.3)', '40ffffffff7f'],
  ['reserved packet type 15 (section 2.2.1)', 'f000'],
  ['reserved packet type 0 (section 2.2.1)', '0000'],
  ['PUBLISH with QoS 3 [MQTT-3.3.1-4]', '3605000161 0001'],
  ['PUBLISH with a wildcard topic [MQTT-3.3.2-2]', '3003000123'],
  ['PUBLISH with ill-formed UTF-8 [MQTT-1.5.3-1]', '30040002c328'],
  ['PUBACK with packet id 0 [MQTT-2.3.1-1]', '40020000'],
  ['a second CONNACK [MQTT-3.2.0-1]', '20020000'],
  ['SUBACK for an id never sent [MQTT-3.8.4-2]', '9003000901'],
  ['PUBREL (QoS 2 flow the client never started)', '62020001'],
  ['PINGREQ (a server never sends it)', 'c000'],
  ['a packet over the 16 KiB limit', '30ffff01'],
];

describe('malformed packets from a broker', () => {
  let aedes: TestBroker;
  beforeAll(async () => {
    aedes = await startAedes();
  });
  afterAll(() => aedes.close());

  for (const [name, bytes] of MALFORMED) {
    it(`${name}: ERR_MQTT_PROTOCOL, the connection is closed, and the message still arrives through the next broker`, async () => {
      const topics = deviceTopics(uniqueId('bad'), 'dev-3');
      const fake = await new FakeBroker((p, conn) => {
        if (p.cmd === 'publish' && p.topic === topics.up) return conn.send(hex(bytes));
        politeBroker(p, conn);
      }).start();
      const consumer = await connectConsumer(aedes.url);
      const inbox = new Inbox(consumer);
      await consumer.subscribeAsync(topics.up, { qos: 1 });
      const ports = realPorts();
      const link = createMqttLink({
        ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }, { host: aedes.host, port: aedes.port }],
        clientId: 'dev-3', topics, will: Uint8Array.of(0), reconnect: { baseMs: 10, capMs: 50 },
      });
      try {
        expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) })).toBe(true);
        expect(link.preferredBroker()).toBe(0);
        await link.publish(topics.up, Uint8Array.of(42));
        await fake.connections[0]!.closed;
        const lost = ports.log.entries.find((e) => e.code === 'mqtt.lost');
        expect(lost?.fields).toMatchObject({ code: 'ERR_MQTT_PROTOCOL', broker: 0 });
        // A broker that broke the protocol is passed over: the reconnect went to the next one.
        expect(fake.connections).toHaveLength(1);
        expect(link.preferredBroker()).toBe(1);
        await inbox.waitFor((m) => m.length >= 1);
        expect(Array.from(inbox.messages[0]!.payload)).toEqual([42]);
      } finally {
        await link.close();
        await consumer.endAsync();
        await fake.close();
      }
    });
  }

  it('with no other broker the publish is rejected with ERR_MQTT_PROTOCOL, never silently dropped', async () => {
    const topics = deviceTopics('bad', 'dev-4');
    const fake = await new FakeBroker((p, conn) => {
      if (p.cmd === 'publish' && p.topic === topics.up) return conn.send(hex('42020001'));
      politeBroker(p, conn);
    }).start();
    const ports = realPorts();
    const link = createMqttLink({
      ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-4', topics, will: Uint8Array.of(0),
      reconnect: { baseMs: 10, capMs: 20, rounds: 2 },
    });
    try {
      expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) })).toBe(true);
      await expect(link.publish(topics.up, Uint8Array.of(1))).rejects.toMatchObject({ code: 'ERR_MQTT_PROTOCOL' });
      // Each reconnect resent the message (DUP) and met the same answer: three connections, all closed.
      expect(fake.connections).toHaveLength(3);
      await Promise.all(fake.connections.map((c) => c.closed));
      expect(link.retryDelayMs()).toBeGreaterThanOrEqual(0);
      await expect(link.publish(topics.up, Uint8Array.of(2))).rejects.toMatchObject({ code: 'ERR_MQTT_CLOSED' });
    } finally {
      await link.close();
      await fake.close();
    }
  });

  it('a malformed CONNACK fails that broker at open and the next one is used', async () => {
    const topics = deviceTopics(uniqueId('bad'), 'dev-5');
    const fake = await new FakeBroker((p, conn) => {
      if (p.cmd === 'connect') return conn.send(hex('2003000000'));
    }).start();
    const ports = realPorts();
    const link = createMqttLink({ ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }, { host: aedes.host, port: aedes.port }], clientId: 'dev-5', topics, will: Uint8Array.of(0) });
    try {
      expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) })).toBe(true);
      expect(link.preferredBroker()).toBe(1);
      expect(ports.log.entries.find((e) => e.code === 'mqtt.connect_failed')?.fields).toMatchObject({ broker: 0, code: 'ERR_MQTT_PROTOCOL' });
      await fake.connections[0]!.closed;
    } finally {
      await link.close();
      await fake.close();
    }
  });

  it('section 3.2.2.3: a refusing CONNACK gives ERR_MQTT_CONNACK_REFUSED with the code, and open() resolves false', async () => {
    const topics = deviceTopics('bad', 'dev-6');
    const fake = await new FakeBroker((p, conn) => {
      if (p.cmd === 'connect') return conn.send({ cmd: 'connack', returnCode: 5, sessionPresent: false });
    }).start();
    const ports = realPorts();
    const link = createMqttLink({ ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-6', topics, will: Uint8Array.of(0) });
    try {
      expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) })).toBe(false);
      expect(ports.log.entries.find((e) => e.code === 'mqtt.connect_failed')?.fields).toMatchObject({ code: 'ERR_MQTT_CONNACK_REFUSED' });
      expect(link.retryDelayMs()).toBeLessThan(5000);
    } finally {
      await link.close();
      await fake.close();
    }
  });
});
