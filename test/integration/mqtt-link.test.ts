import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMqttLink, type MqttLinkHandle, type MqttLinkOptions } from '../../firmware/mqtt/link.js';
import { decodeStatus, encodeBirth, encodeWill } from '../../firmware/mqtt/status.js';
import { deviceTopics } from '../../firmware/mqtt/topics.js';
import type { DeviceStatus } from '../../firmware/index.js';
import { brokerTargets, connectConsumer, Inbox, tidyBroker, uniqueId, type TestBroker } from '../support/mqtt/brokers.js';
import { realPorts } from '../support/mqtt/ports.js';

const STATUS: DeviceStatus = {
  firmwareVersion: '1.4.2', slot: 0, bootState: 'valid', batteryVolts: 3.71, configVersion: 3,
  outbox: { records: 0, bytes: 0, dropped: 0, thinned: 0 },
};

for (const target of brokerTargets()) {
  describe(`MQTT link against ${target.name}`, () => {
    let broker: TestBroker;
    beforeAll(async () => {
      broker = await target.start();
    });
    const statusTopics: string[] = [];
    const deviceIds: string[] = [];
    afterAll(async () => {
      // The device connects with clean session 0: end its sessions too.
      await tidyBroker(broker.url, statusTopics, deviceIds);
      await broker.close();
    });

    function makeLink(extra: Partial<MqttLinkOptions> = {}) {
      const ports = realPorts();
      const deviceId = uniqueId('dev');
      const topics = deviceTopics(uniqueId('test'), deviceId);
      statusTopics.push(topics.status);
      deviceIds.push(deviceId);
      const link = createMqttLink({
        ...ports, brokers: [{ host: broker.host, port: broker.port }], clientId: deviceId, topics,
        will: encodeWill(STATUS.firmwareVersion), keepAliveS: 30, ...extra,
      });
      const deadline = (): number => ports.clock.monotonicMs() + 20_000;
      return { link, topics, ports, deadline, deviceId };
    }

    async function consumer(filter: string): Promise<{ client: MqttClient; inbox: Inbox }> {
      const client = await connectConsumer(broker.url);
      const inbox = new Inbox(client);
      await client.subscribeAsync(filter, { qos: 1 });
      return { client, inbox };
    }

    it('publishes QoS 1 and resolves each publish on its PUBACK, in order at the consumer', async () => {
      const { link, topics, ports, deadline } = makeLink();
      const { client, inbox } = await consumer(topics.up);
      try {
        expect(await link.open({ deadlineMs: deadline(), status: encodeBirth(STATUS, 1_700_000_000_000) })).toBe(true);
        expect(link.isConnected()).toBe(true);
        const payloads = [1, 2, 3, 4, 5].map((i) => Uint8Array.of(0xa1, 0x01, i));
        await Promise.all(payloads.map((p) => link.publish(topics.up, p)));
        expect(link.inFlight()).toBe(0);
        await inbox.waitFor((m) => m.length >= 5);
        expect(inbox.messages.map((m) => Array.from(m.payload))).toEqual(payloads.map((p) => Array.from(p)));
        expect(ports.log.codes()).toContain('mqtt.connected');
      } finally {
        await link.close();
        await client.endAsync();
      }
    });

    it('publishes a retained birth with the firmware version on connect; a later subscriber gets it', async () => {
      const { link, topics, deadline } = makeLink();
      try {
        expect(await link.open({ deadlineMs: deadline(), status: encodeBirth(STATUS, 1_700_000_000_000) })).toBe(true);
        const { client, inbox } = await consumer(topics.status);
        await inbox.waitFor((m) => m.length >= 1);
        const birth = inbox.messages[0]!;
        expect(birth.retain).toBe(true);
        expect(decodeStatus(birth.payload)).toMatchObject({ online: true, firmwareVersion: '1.4.2', atMs: 1_700_000_000_000, batteryVolts: 3.71 });
        await client.endAsync();
      } finally {
        await link.close();
      }
    });

    it('MQTT-3.1.2-8: the broker publishes the retained will when the device dies without DISCONNECT', async () => {
      const { link, topics, ports, deadline } = makeLink();
      const { client, inbox } = await consumer(topics.status);
      try {
        expect(await link.open({ deadlineMs: deadline(), status: encodeBirth(STATUS, 1) })).toBe(true);
        await inbox.waitFor((m) => m.some((x) => decodeStatus(x.payload).online));
        ports.socket.killAll();
        await inbox.waitFor((m) => m.some((x) => !decodeStatus(x.payload).online));
        const will = decodeStatus(inbox.messages.find((x) => !decodeStatus(x.payload).online)!.payload);
        expect(will).toMatchObject({ online: false, lost: true, firmwareVersion: '1.4.2' });
        // Retained: a subscriber that comes later sees the loss.
        const late = await consumer(topics.status);
        await late.inbox.waitFor((m) => m.length >= 1);
        expect(late.inbox.messages[0]!.retain).toBe(true);
        expect(decodeStatus(late.inbox.messages[0]!.payload).online).toBe(false);
        await late.client.endAsync();
      } finally {
        await link.close();
        await client.endAsync();
      }
    });

    it('MQTT-3.1.2-10: a clean close sends DISCONNECT, so no will: the retained status stays the birth', async () => {
      const { link, topics, deadline } = makeLink();
      expect(await link.open({ deadlineMs: deadline(), status: encodeBirth(STATUS, 5) })).toBe(true);
      await link.close();
      expect(link.isConnected()).toBe(false);
      // A marker published after the close by another client: if a will had fired, it came first.
      const { client, inbox } = await consumer(`${topics.status}/#`);
      await client.publishAsync(`${topics.status}/marker`, 'm', { qos: 1 });
      await inbox.waitFor((m) => m.some((x) => x.topic.endsWith('/marker')));
      const statuses = inbox.messages.filter((x) => x.topic === topics.status);
      expect(statuses).toHaveLength(1);
      expect(decodeStatus(statuses[0]!.payload)).toMatchObject({ online: true, atMs: 5 });
      await client.endAsync();
    });

    it('MQTT-4.3.2-2: receives downlink messages at QoS 1 and acknowledges them', async () => {
      const { link, topics, deadline } = makeLink({ subscribeDownlink: true });
      const got: Array<[string, number[]]> = [];
      link.onMessage = (topic, payload) => got.push([topic, Array.from(payload)]);
      const client = await connectConsumer(broker.url);
      try {
        expect(await link.open({ deadlineMs: deadline(), status: encodeBirth(STATUS, 1) })).toBe(true);
        // publishAsync at QoS 1 resolves when the broker acknowledged it; delivery to the device follows.
        await client.publishAsync(topics.down, Buffer.from([9, 8, 7]), { qos: 1 });
        await new Promise<void>((resolve) => {
          const poll = (): void => (got.length > 0 ? resolve() : void setTimeout(poll, 5));
          poll();
        });
        expect(got).toEqual([[topics.down, [9, 8, 7]]]);
      } finally {
        await link.close();
        await client.endAsync();
      }
    });

    it('refuses publishing to an invalid topic (ERR_MQTT_TOPIC) and before open (ERR_MQTT_CLOSED)', async () => {
      const { link, topics, deadline } = makeLink();
      await expect(link.publish(topics.up, Uint8Array.of(1))).rejects.toMatchObject({ code: 'ERR_MQTT_CLOSED' });
      expect(await link.open({ deadlineMs: deadline(), status: encodeBirth(STATUS, 1) })).toBe(true);
      await expect(link.publish('a/#', Uint8Array.of(1))).rejects.toMatchObject({ code: 'ERR_MQTT_TOPIC' });
      await link.close();
    });
  });
}
