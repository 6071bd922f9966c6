/**
 * A new image pending verification has one boot to show health evidence, "broker reached"
 * among it (docs/ota.md). Its first radio window must reach the broker even when the outbox is
 * empty (the retained birth, acknowledged, is the proof) and even when the old image left a
 * backoff in the retained record. Against Aedes (and MQTT_URL when set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatus } from '../../firmware/mqtt/status.js';
import type { DeviceStatus, WindowReason } from '../../firmware/index.js';
import { createUplink } from '../../firmware/uplink/create.js';
import { createMemoryLog } from '../../hosts/node/log.js';
import { createMemoryOutboxStore } from '../../hosts/node/outbox-store-memory.js';
import { createSeededRandom } from '../../hosts/node/random.js';
import { createNodeSocketPort } from '../../hosts/node/socket.js';
import { createSystemClock } from '../../hosts/node/clock.js';
import { createSystemTimer } from '../../hosts/node/timer.js';
import { brokerTargets, connectConsumer, Inbox, tidyBroker, uniqueId, type TestBroker } from '../support/mqtt/brokers.js';

const PENDING: DeviceStatus = {
  firmwareVersion: '2.0.0', slot: 1, bootState: 'pending-verify', batteryVolts: 3.9, configVersion: 1,
  outbox: { records: 0, bytes: 0, dropped: 0, thinned: 0 },
};

for (const target of brokerTargets()) {
  describe(`a pending image's first window against ${target.name}`, () => {
    let broker: TestBroker;
    const statusTopics: string[] = [];
    const deviceIds: string[] = [];
    beforeAll(async () => {
      broker = await target.start();
    });
    afterAll(async () => {
      await tidyBroker(broker.url, statusTopics, deviceIds);
      await broker.close();
    });

    function make(brokerPort = broker.port) {
      const deviceId = uniqueId('pv');
      const prefix = uniqueId('pvt');
      deviceIds.push(deviceId);
      statusTopics.push(`${prefix}/${deviceId}/status`);
      const clock = createSystemClock();
      const outboxStore = createMemoryOutboxStore();
      const ports = { socket: createNodeSocketPort(), timer: createSystemTimer(), clock, random: createSeededRandom(3), outboxStore, log: createMemoryLog() };
      const build = (port: number) => createUplink({
        ports, deviceId, firmwareVersion: PENDING.firmwareVersion, topicPrefix: prefix,
        credentials: { deviceToken: 'device-token-0123456789', mqtt: { username: deviceId, password: 'pw-123456', brokers: [{ host: broker.host, port }] } },
        mqtt: { connectTimeoutMs: 2_000, reconnect: { baseMs: 10, capMs: 20, rounds: 1 } },
      });
      const window = (parts: ReturnType<typeof build>, reasons: WindowReason[], status = PENDING) =>
        parts.uplink.openWindow({ nowMs: clock.wallMs(), deadlineMs: clock.wallMs() + 15_000, reasons, status, checkIn: false });
      return { deviceId, prefix, clock, build, window, port: brokerPort };
    }

    it('an empty outbox still connects: brokerReached true, the retained birth says pending-verify', async () => {
      const { deviceId, prefix, build, window, port } = make();
      const consumer = await connectConsumer(broker.url);
      const inbox = new Inbox(consumer);
      try {
        const parts = build(port);
        expect(parts.outbox.stats().records).toBe(0);
        const outcome = await window(parts, ['update', 'check-in']);
        expect(outcome).toEqual({ brokerReached: true, published: 0 });
        expect(parts.uplink.counters().brokerFailures).toBe(0);
        // The birth is retained: a subscriber arriving afterwards gets it.
        await consumer.subscribeAsync(`${prefix}/${deviceId}/status`, { qos: 1 });
        await inbox.waitFor((m) => m.length > 0);
        expect(decodeStatus(inbox.messages[0]!.payload)).toMatchObject({ online: true, firmwareVersion: '2.0.0', slot: 1, bootState: 'pending-verify' });
      } finally {
        await consumer.endAsync();
      }
    });

    it("ignores the old image's backoff carried in the retained record", async () => {
      const { build, window, port } = make();
      // The old image failed against a dead port and saved its backoff (retained uplink section).
      const dead = build(1);
      dead.outbox.enqueue({ pack: Uint8Array.of(0x80), firstSeq: 1, lastSeq: 1, alarm: false, createdAtMs: Date.now() }, { clockKnown: true });
      const failed = await window(dead, ['report'], { ...PENDING, firmwareVersion: '1.0.0', slot: 0, bootState: 'valid' });
      expect(failed.brokerReached).toBe(false);
      expect(dead.uplink.nextAttemptAtMs()).toBeGreaterThan(Date.now());
      const saved = dead.uplink.snapshot();

      // The new image boots pending verification with that record: its window does not wait.
      const parts = build(port);
      parts.uplink.restore(saved);
      expect(parts.uplink.nextAttemptAtMs()).toBeGreaterThan(Date.now());
      const outcome = await window(parts, ['update']);
      expect(outcome.brokerReached).toBe(true);
      expect(parts.uplink.nextAttemptAtMs()).toBeUndefined();
    });
  });
}
