import { afterEach, describe, expect, it } from 'vitest';
import { createMqttLink } from '../../firmware/mqtt/link.js';
import { deviceTopics } from '../../firmware/mqtt/topics.js';
import { createManualClock } from '../../hosts/node/clock.js';
import { createMemoryLog } from '../../hosts/node/log.js';
import { createSeededRandom } from '../../hosts/node/random.js';
import { createVirtualTimer } from '../../hosts/node/timer.js';
import { FakeBroker, politeBroker } from '../support/mqtt/fake-broker.js';
import { killableSocketPort } from '../support/mqtt/ports.js';

// Real sockets, virtual time: keep-alive and ping timeouts fire only when the test advances the
// clock, so nothing here depends on how fast the machine is.
function virtualPorts() {
  const clock = createManualClock();
  return { clock, timer: createVirtualTimer(clock), socket: killableSocketPort(), random: createSeededRandom(5), log: createMemoryLog() };
}

const topics = deviceTopics('ka', 'dev-7');

function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = (): void => (condition() ? resolve() : void setTimeout(poll, 2));
    poll();
  });
}
const pings = (fake: FakeBroker, conn = 0): number => fake.connections[conn]?.packets.filter((p) => p.cmd === 'pingreq').length ?? 0;

describe('keep-alive and dead-link detection', () => {
  let fake: FakeBroker;
  afterEach(() => fake.close());

  it('MQTT-3.1.2-23: sends PINGREQ when idle for the keep-alive period, and stays up while PINGRESP comes', async () => {
    fake = await new FakeBroker(politeBroker).start();
    const ports = virtualPorts();
    const link = createMqttLink({ ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-7', topics, will: Uint8Array.of(0), keepAliveS: 10, pingTimeoutMs: 3000 });
    expect(await link.open({ deadlineMs: 600_000, status: Uint8Array.of(0xa0) })).toBe(true);
    expect(fake.connections[0]!.packets[0]).toMatchObject({ cmd: 'connect', keepalive: 10 });
    ports.timer.advance(9_999);
    expect(pings(fake)).toBe(0);
    for (let period = 1; period <= 3; period++) {
      const before = ports.socket.bytesRead;
      ports.timer.advance(period === 1 ? 1 : 10_000);
      await fake.waitFor(() => pings(fake) === period);
      // The device has read the 2-byte PINGRESP before virtual time moves on.
      await until(() => ports.socket.bytesRead >= before + 2);
    }
    ports.timer.advance(3_000);
    expect(link.isConnected()).toBe(true);
    expect(fake.connections).toHaveLength(1);
    await link.close();
  });

  it('no PINGRESP within the ping timeout: the link is dead, the socket is closed (ERR_MQTT_TIMEOUT) and a reconnect follows', async () => {
    let answerPings = false;
    fake = await new FakeBroker((p, conn) => {
      if (p.cmd === 'pingreq' && !answerPings) return;
      politeBroker(p, conn);
    }).start();
    const ports = virtualPorts();
    const link = createMqttLink({
      ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-7', topics, will: Uint8Array.of(0),
      keepAliveS: 10, pingTimeoutMs: 3000, reconnect: { baseMs: 100, capMs: 100 },
    });
    expect(await link.open({ deadlineMs: 600_000, status: Uint8Array.of(0xa0) })).toBe(true);
    ports.timer.advance(10_000);
    await fake.waitFor(() => pings(fake) === 1);
    ports.timer.advance(2_999);
    expect(link.isConnected()).toBe(true);
    ports.timer.advance(1);
    expect(link.isConnected()).toBe(false);
    await fake.connections[0]!.closed;
    expect(ports.log.entries.find((e) => e.code === 'mqtt.lost')?.fields).toMatchObject({ code: 'ERR_MQTT_TIMEOUT' });
    // The reconnect waits its (virtual) backoff, then comes back; now the broker answers.
    answerPings = true;
    ports.timer.advance(100);
    await fake.waitFor(() => fake.connections.length === 2);
    await until(() => link.isConnected());
    await link.close();
  });

  it('pings when nothing comes in even while the client keeps sending, so a silent link is found', async () => {
    fake = await new FakeBroker((p, conn) => {
      if (p.cmd === 'publish' && p.topic === topics.up) return; // the broker went silent: no PUBACK
      if (p.cmd === 'pingreq') return; // and no PINGRESP
      politeBroker(p, conn);
    }).start();
    const ports = virtualPorts();
    const link = createMqttLink({
      ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-7', topics, will: Uint8Array.of(0),
      keepAliveS: 10, pingTimeoutMs: 3000, reconnect: { baseMs: 100, capMs: 100, rounds: 1 }, window: 100,
    });
    expect(await link.open({ deadlineMs: 600_000, status: Uint8Array.of(0xa0) })).toBe(true);
    const sent: Array<Promise<void>> = [];
    for (let i = 0; i < 10; i++) {
      ports.timer.advance(1_000);
      const p = link.publish(topics.up, Uint8Array.of(i));
      p.catch(() => undefined);
      sent.push(p);
    }
    await fake.waitFor(() => pings(fake) === 1);
    ports.timer.advance(3_000);
    await fake.connections[0]!.closed;
    expect(ports.log.entries.find((e) => e.code === 'mqtt.lost')?.fields).toMatchObject({ code: 'ERR_MQTT_TIMEOUT' });
    await link.close();
    await Promise.allSettled(sent);
  });

  it('connect timeout: a broker that accepts TCP but never answers CONNECT is given up (ERR_MQTT_TIMEOUT)', async () => {
    fake = await new FakeBroker(() => undefined).start();
    const ports = virtualPorts();
    const link = createMqttLink({ ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-7', topics, will: Uint8Array.of(0), connectTimeoutMs: 5000 });
    const opened = link.open({ deadlineMs: 600_000, status: Uint8Array.of(0xa0) });
    await fake.waitFor(() => fake.connections[0]?.packets.length === 1);
    ports.timer.advance(5000);
    expect(await opened).toBe(false);
    expect(ports.log.entries.find((e) => e.code === 'mqtt.connect_failed')?.fields).toMatchObject({ code: 'ERR_MQTT_TIMEOUT' });
    await fake.connections[0]!.closed;
  });
});
