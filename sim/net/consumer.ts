/**
 * The backend's side of the fleet: an mqtt.js client subscribed to `<prefix>/+/up` at QoS 1
 * that decodes every SenML pack with the firmware's own resolvePack and de-duplicates records
 * by (device, sequence number), as a real ingestion service must with QoS 1 (at least once).
 * What it keeps is what the run's readingsLost and duplicates are measured against.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { receivePack, emptyReceivedLog, type ReceivedLog } from './received.js';

export interface Consumer {
  readonly log: ReceivedLog;
  /** Waits until `packs` distinct packs arrived, or `timeoutMs` passed; true when reached. */
  waitForPacks(packs: number, timeoutMs: number): Promise<boolean>;
  /** Publishes empty retained messages on these topics (clears them on a shared broker). */
  clearRetained(topics: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startConsumer(url: string, topicPrefix: string, clientId: string): Promise<Consumer> {
  const log = emptyReceivedLog();
  let distinct = 0;
  const waiters: { packs: number; resolve: (ok: boolean) => void }[] = [];
  const client: MqttClient = await mqtt.connectAsync(url, { clientId, clean: false, reconnectPeriod: 500, connectTimeout: 5000 });
  const prefixLevels = topicPrefix.split('/').length;
  client.on('message', (topic, payload) => {
    const deviceId = topic.split('/')[prefixLevels];
    if (deviceId === undefined) return;
    distinct += receivePack(log, deviceId, new Uint8Array(payload.buffer, payload.byteOffset, payload.length));
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (distinct >= waiters[i]!.packs) {
        waiters[i]!.resolve(true);
        waiters.splice(i, 1);
      }
    }
  });
  await client.subscribeAsync(`${topicPrefix}/+/up`, { qos: 1 });
  return {
    log,
    waitForPacks(packs, timeoutMs) {
      if (distinct >= packs) return Promise.resolve(true);
      return new Promise((resolve) => {
        const waiter = { packs, resolve };
        waiters.push(waiter);
        setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) {
            waiters.splice(i, 1);
            resolve(false);
          }
        }, timeoutMs).unref();
      });
    },
    async clearRetained(topics) {
      for (const topic of topics) await client.publishAsync(topic, Buffer.alloc(0), { retain: true, qos: 1 });
    },
    async close() {
      await client.endAsync();
    },
  };
}
