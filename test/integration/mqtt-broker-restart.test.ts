import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMqttLink } from '../../firmware/mqtt/link.js';
import { encodeWill } from '../../firmware/mqtt/status.js';
import { deviceTopics } from '../../firmware/mqtt/topics.js';
import { brokerTargets, connectConsumer, Inbox, tidyBroker, uniqueId, type TestBroker } from '../support/mqtt/brokers.js';
import { realPorts } from '../support/mqtt/ports.js';

const seqOf = (p: Uint8Array): number => new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0);
const payloadOf = (seq: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, seq);
  return b;
};

for (const target of brokerTargets()) {
  describe(`broker restart in the middle of a batch (${target.name})`, () => {
    let broker: TestBroker;
    beforeAll(async () => {
      broker = await target.start();
    });
    afterAll(() => broker.close());

    it('loses nothing: every message arrives, duplicates are removed by sequence number, order holds', async () => {
      const N = 40;
      const ports = realPorts(7);
      const deviceId = uniqueId('dev');
      const topics = deviceTopics(uniqueId('restart'), deviceId);
      // The consumer keeps a persistent session (clean false), so messages published while it
      // reconnects after the restart are queued for it, as an application consumer would.
      const consumerId = uniqueId('app');
      const consumer = await connectConsumer(broker.url, { clientId: consumerId, clean: false });
      const inbox = new Inbox(consumer);
      await consumer.subscribeAsync(topics.up, { qos: 1 });
      const link = createMqttLink({
        ...ports, brokers: [{ host: broker.host, port: broker.port }], clientId: deviceId, topics,
        will: encodeWill('1.0.0'), window: 4, reconnect: { baseMs: 50, capMs: 400, rounds: 30 },
      });
      try {
        expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 25_000, status: Uint8Array.of(0xa0) })).toBe(true);
        const pending = new Set<Promise<void>>();
        let restart: Promise<void> | undefined;
        for (let seq = 1; seq <= N; seq++) {
          while (link.inFlight() >= link.window) await Promise.race(pending);
          const p = link.publish(topics.up, payloadOf(seq));
          pending.add(p);
          void p.then(() => pending.delete(p), () => undefined);
          if (seq === 15) restart = broker.restart(() => new Promise((r) => setTimeout(r, 100)));
        }
        await Promise.all(pending);
        await restart;
        expect(ports.log.codes()).toContain('mqtt.lost');
        await inbox.waitFor((m) => new Set(m.filter((x) => x.topic === topics.up).map((x) => seqOf(x.payload))).size >= N);
        const seen = new Set<number>();
        const ordered: number[] = [];
        for (const m of inbox.messages) {
          const seq = seqOf(m.payload);
          if (!seen.has(seq)) ordered.push(seq);
          seen.add(seq);
        }
        expect(ordered).toEqual(Array.from({ length: N }, (_, i) => i + 1));
      } finally {
        await link.close();
        await consumer.endAsync();
        await tidyBroker(broker.url, [topics.status], [consumerId, deviceId]);
      }
    });
  });
}
