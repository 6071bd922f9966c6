import '@endo/init';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatus } from '../../../firmware/mqtt/status.js';
import { deviceTopics } from '../../../firmware/mqtt/topics.js';
import { hostHandlers, startXsWorker } from '../../../hosts/xs/index.js';
import { createSocketBridge } from '../../../hosts/xs/socket-bridge.js';
import { brokerTargets, connectConsumer, Inbox, tidyBroker, uniqueId, type TestBroker } from '../../support/mqtt/brokers.js';

const entry = fileURLToPath(new URL('./mqtt-entry.ts', import.meta.url));

for (const target of brokerTargets()) {
  describe(`MQTT client inside XS (xsnap) publishing QoS 1 to ${target.name}`, () => {
    let broker: TestBroker;
    beforeAll(async () => {
      broker = await target.start();
    });
    afterAll(() => broker.close());

    it('connects through the bridged socket, publishes a retained birth and 12 QoS 1 messages, all acknowledged and received', async () => {
      const prefix = uniqueId('xs');
      const deviceId = uniqueId('xsdev');
      const topics = deviceTopics(prefix, deviceId);
      const consumer = await connectConsumer(broker.url);
      const inbox = new Inbox(consumer);
      await consumer.subscribeAsync(`${prefix}/${deviceId}/#`, { qos: 1 });
      const bridge = createSocketBridge();
      let finish!: (result: unknown) => void;
      const done = new Promise<unknown>((resolve) => (finish = resolve));
      const worker = await startXsWorker({
        name: 'mqtt-xs',
        entry,
        handleCommand: hostHandlers({ ...bridge.handlers, 'mqtt.done': (result) => (finish(result), null) }),
      });
      try {
        bridge.attach(worker);
        const { reply } = await worker.call('run', { brokers: [{ host: broker.host, port: broker.port }], prefix, deviceId, count: 12 });
        expect(reply).toBe('started');
        expect(await done).toEqual({ ok: true, acked: 12, engine: 'function' });
        expect(bridge.deliveryError).toBeUndefined();
        await inbox.waitFor((m) => m.filter((x) => x.topic === topics.up).length >= 12);
        const up = inbox.messages.filter((x) => x.topic === topics.up).map((x) => x.payload[2]);
        expect(up).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
        const birth = inbox.messages.find((x) => x.topic === topics.status);
        expect(birth).toBeDefined();
        expect(decodeStatus(birth!.payload)).toMatchObject({ online: true, firmwareVersion: 'xs-1.0.0', atMs: 1_700_000_000_000 });
      } finally {
        bridge.close();
        await worker.close();
        await consumer.endAsync();
        await tidyBroker(broker.url, [topics.status], [deviceId]);
      }
    });
  });
}

describe('MQTT client inside XS without a broker', () => {
  it('reports a failed open (nothing listening) through the bridge with a backoff delay', async () => {
    const bridge = createSocketBridge();
    let finish!: (result: unknown) => void;
    const done = new Promise<unknown>((resolve) => (finish = resolve));
    const worker = await startXsWorker({ name: 'mqtt-xs-fail', entry, handleCommand: hostHandlers({ ...bridge.handlers, 'mqtt.done': (r) => (finish(r), null) }) });
    try {
      bridge.attach(worker);
      await worker.call('run', { brokers: [{ host: '127.0.0.1', port: 1 }], prefix: 'xs', deviceId: 'nobody', count: 1 });
      const result = (await done) as { ok: boolean; stage: string; retryDelayMs: number };
      expect(result).toMatchObject({ ok: false, stage: 'open' });
      expect(result.retryDelayMs).toBeGreaterThanOrEqual(0);
      expect(result.retryDelayMs).toBeLessThan(5000);
    } finally {
      bridge.close();
      await worker.close();
    }
  });
});
