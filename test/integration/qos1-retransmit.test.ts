import type { IPublishPacket } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { createMqttLink } from '../../firmware/mqtt/link.js';
import { deviceTopics } from '../../firmware/mqtt/topics.js';
import { FakeBroker, politeBroker } from '../support/mqtt/fake-broker.js';
import { realPorts } from '../support/mqtt/ports.js';

const topics = deviceTopics('rt', 'dev-1');
const upPublishes = (packets: readonly { cmd: string }[]): IPublishPacket[] => packets.filter((p): p is IPublishPacket => p.cmd === 'publish' && (p as IPublishPacket).topic === topics.up);

describe('QoS 1 retransmission after reconnect', () => {
  let fake: FakeBroker;
  afterEach(() => fake.close());

  it('MQTT-4.4.0-1 / MQTT-3.3.1-1: resends unacknowledged messages with DUP, the same packet ids, in original order [MQTT-4.6.0-1]', async () => {
    fake = await new FakeBroker((p, conn) => {
      // First connection: acknowledge the birth, swallow the data, then die after the third.
      if (conn.index === 0 && p.cmd === 'publish' && p.topic === topics.up) {
        if (upPublishes(conn.packets).length === 3) conn.destroy();
        return;
      }
      if (p.cmd === 'connect' && conn.index > 0) return conn.send({ cmd: 'connack', returnCode: 0, sessionPresent: true });
      politeBroker(p, conn);
    }).start();
    const ports = realPorts();
    const link = createMqttLink({ ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-1', topics, will: Uint8Array.of(0), reconnect: { baseMs: 10, capMs: 50 } });
    try {
      expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) })).toBe(true);
      await Promise.all([1, 2, 3].map((i) => link.publish(topics.up, Uint8Array.of(i))));
      const first = upPublishes(fake.connections[0]!.packets);
      const second = upPublishes(fake.connections[1]!.packets);
      expect(first.map((p) => p.dup)).toEqual([false, false, false]);
      expect(second.map((p) => p.dup)).toEqual([true, true, true]);
      expect(second.map((p) => p.messageId)).toEqual(first.map((p) => p.messageId));
      expect(second.map((p) => Array.from(p.payload as Buffer))).toEqual([[1], [2], [3]]);
      // MQTT-2.3.1-1/2: ids are non-zero and distinct while in flight.
      expect(new Set(first.map((p) => p.messageId)).size).toBe(3);
      expect(first.every((p) => (p.messageId ?? 0) > 0)).toBe(true);
      // The reconnect used clean session 0 so the broker kept the session [MQTT-3.1.2-4].
      expect(fake.connections[1]!.packets[0]).toMatchObject({ cmd: 'connect', clean: false, clientId: 'dev-1' });
    } finally {
      await link.close();
    }
  });

  it('a message published while the link is down waits in the window and goes out without DUP after the reconnect', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake = await new FakeBroker((p, conn) => {
      if (conn.index === 0 && p.cmd === 'publish' && p.topic === topics.up) return conn.destroy();
      if (p.cmd === 'connect' && conn.index === 1) {
        void gate.then(() => conn.send({ cmd: 'connack', returnCode: 0, sessionPresent: true }));
        return;
      }
      politeBroker(p, conn);
    }).start();
    const ports = realPorts();
    const link = createMqttLink({ ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-1', topics, will: Uint8Array.of(0), reconnect: { baseMs: 10, capMs: 50 } });
    try {
      expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) })).toBe(true);
      const a = link.publish(topics.up, Uint8Array.of(1));
      await fake.waitFor(() => fake.connections.length === 2);
      const b = link.publish(topics.up, Uint8Array.of(2));
      release();
      await Promise.all([a, b]);
      expect(upPublishes(fake.connections[1]!.packets).map((p) => [p.dup, Array.from(p.payload as Buffer)])).toEqual([[true, [1]], [false, [2]]]);
    } finally {
      await link.close();
    }
  });
});
