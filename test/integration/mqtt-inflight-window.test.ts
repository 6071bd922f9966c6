import type { IPublishPacket } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { createMqttLink } from '../../firmware/mqtt/link.js';
import { deviceTopics } from '../../firmware/mqtt/topics.js';
import { FakeBroker, politeBroker, type FakeConnection } from '../support/mqtt/fake-broker.js';
import { realPorts } from '../support/mqtt/ports.js';

const topics = deviceTopics('win', 'dev-2');

describe('in-flight window', () => {
  let fake: FakeBroker;
  afterEach(() => fake.close());

  it('never has more than `window` QoS 1 messages unacknowledged; the next is refused with ERR_MQTT_INFLIGHT_FULL', async () => {
    const held: Array<{ conn: FakeConnection; id: number }> = [];
    fake = await new FakeBroker((p, conn) => {
      if (p.cmd === 'publish' && p.topic === topics.up) return void held.push({ conn, id: p.messageId! });
      politeBroker(p, conn);
    }).start();
    const ports = realPorts();
    const link = createMqttLink({ ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-2', topics, will: Uint8Array.of(0), window: 3 });
    try {
      expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) })).toBe(true);
      const settled: number[] = [];
      const first = [1, 2, 3].map((i) => link.publish(topics.up, Uint8Array.of(i)).then(() => settled.push(i)));
      expect(link.inFlight()).toBe(3);
      await expect(link.publish(topics.up, Uint8Array.of(4))).rejects.toMatchObject({ code: 'ERR_MQTT_INFLIGHT_FULL' });
      await fake.waitFor(() => held.length === 3);
      const onWire = (): number => fake.all().filter((p) => p.cmd === 'publish' && (p as IPublishPacket).topic === topics.up).length;
      expect(onWire()).toBe(3);
      expect(settled).toEqual([]);
      // One PUBACK frees one slot.
      const one = held.shift()!;
      one.conn.send({ cmd: 'puback', messageId: one.id });
      await first[0];
      expect(link.inFlight()).toBe(2);
      const fourth = link.publish(topics.up, Uint8Array.of(4)).then(() => settled.push(4));
      await fake.waitFor(() => held.length === 3);
      expect(onWire()).toBe(4);
      for (const h of held.splice(0)) h.conn.send({ cmd: 'puback', messageId: h.id });
      await Promise.all([...first, fourth]);
      expect(settled).toEqual([1, 2, 3, 4]);
      expect(link.inFlight()).toBe(0);
    } finally {
      await link.close();
    }
  });

  it('close() rejects what is still in flight with ERR_MQTT_CLOSED (the outbox keeps it)', async () => {
    fake = await new FakeBroker((p, conn) => {
      if (p.cmd === 'publish' && p.topic === topics.up) return;
      politeBroker(p, conn);
    }).start();
    const ports = realPorts();
    const link = createMqttLink({ ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-2', topics, will: Uint8Array.of(0) });
    expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) })).toBe(true);
    const p = link.publish(topics.up, Uint8Array.of(1));
    await fake.waitFor(() => fake.all().some((x) => x.cmd === 'publish' && (x as IPublishPacket).topic === topics.up));
    await link.close();
    await expect(p).rejects.toMatchObject({ code: 'ERR_MQTT_CLOSED' });
    // MQTT-3.14.4-1: DISCONNECT went out before the close.
    await fake.waitFor(() => fake.all().some((x) => x.cmd === 'disconnect'));
  });
});
