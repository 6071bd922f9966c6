import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMqttLink, type MqttLinkOptions } from '../../firmware/mqtt/link.js';
import { deviceTopics } from '../../firmware/mqtt/topics.js';
import { createSeededRandom } from '../../hosts/node/random.js';
import { startAedes, type TestBroker } from '../support/mqtt/brokers.js';
import { FakeBroker, politeBroker } from '../support/mqtt/fake-broker.js';
import { realPorts } from '../support/mqtt/ports.js';

const topics = deviceTopics('bo', 'dev-8');
const BACKOFF = { baseMs: 1000, capMs: 16_000 };

/** A port where nothing listens: connects are refused at once. */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Counts TCP connections and closes each at once (a broker that is down behind a load balancer). */
async function countingRefuser(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const s = net.createServer((c) => {
    n += 1;
    c.destroy();
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as net.AddressInfo).port, count: () => n, close: () => new Promise((r) => s.close(() => r())) };
}

/** One wake: fresh RAM (a new link), the retained record restored, one window, the record saved. */
async function wake(retained: Uint8Array | undefined, options: Partial<MqttLinkOptions> & Pick<MqttLinkOptions, 'brokers'>, seed: number) {
  const ports = realPorts(seed);
  const link = createMqttLink({ ...ports, clientId: 'dev-8', topics, will: Uint8Array.of(0), backoff: BACKOFF, ...options });
  if (retained !== undefined) link.restore(retained);
  const ok = await link.open({ deadlineMs: ports.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) });
  const retryDelayMs = link.retryDelayMs();
  await link.close();
  return { ok, retryDelayMs, retained: link.snapshot(), log: ports.log };
}

describe('connect backoff across wakes', () => {
  let aedes: TestBroker;
  let dead: number;
  beforeAll(async () => {
    aedes = await startAedes();
    dead = await deadPort();
  });
  afterAll(() => aedes.close());

  it('grows the ceiling 2x per failed wake up to the cap, draws each delay with full jitter, resets on success', async () => {
    let retained: Uint8Array | undefined;
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const w = await wake(retained, { brokers: [{ host: '127.0.0.1', port: dead }] }, 100 + i);
      expect(w.ok).toBe(false);
      delays.push(w.retryDelayMs);
      retained = w.retained;
    }
    const ceilings = [1000, 2000, 4000, 8000, 16000, 16000, 16000];
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(ceilings[i]!);
    });
    // The record now says seven failures; the broker comes back: success resets the backoff.
    const up = await wake(retained, { brokers: [{ host: aedes.host, port: aedes.port }] }, 1);
    expect(up.ok).toBe(true);
    expect(up.retryDelayMs).toBe(0);
    const again = await wake(up.retained, { brokers: [{ host: '127.0.0.1', port: dead }] }, 2);
    expect(again.retryDelayMs).toBeLessThan(1000);
  });

  it('jitter across a fleet: devices failing together on the same wake pick different delays', async () => {
    const fleet = createSeededRandom(9);
    const third: number[] = [];
    for (let device = 0; device < 20; device++) {
      const seed = Math.floor(fleet.next() * 2 ** 31);
      let retained: Uint8Array | undefined;
      let w;
      for (let i = 0; i < 3; i++) {
        w = await wake(retained, { brokers: [{ host: '127.0.0.1', port: dead }] }, seed + i);
        retained = w.retained;
      }
      third.push(w!.retryDelayMs);
    }
    expect(new Set(third).size).toBeGreaterThan(15);
    for (const d of third) expect(d).toBeLessThan(4000);
    const spread = Math.max(...third) - Math.min(...third);
    expect(spread).toBeGreaterThan(2000);
  });

  it('restore() refuses a corrupt record (ERR_STATE_CORRUPT)', () => {
    const link = createMqttLink({ ...realPorts(), brokers: [{ host: '127.0.0.1', port: dead }], clientId: 'd', topics, will: Uint8Array.of(0) });
    expect(() => link.restore(Uint8Array.of(9, 9, 9, 9))).toThrowError(expect.objectContaining({ code: 'ERR_STATE_CORRUPT' }));
    expect(() => link.restore(Uint8Array.of(1, 0))).toThrowError(expect.objectContaining({ code: 'ERR_STATE_CORRUPT' }));
  });
});

describe('broker failover', () => {
  let aedes: TestBroker;
  beforeAll(async () => {
    aedes = await startAedes();
  });
  afterAll(() => aedes.close());

  it('tries brokers in order, and on the next wake starts with the one that worked', async () => {
    const refuser = await countingRefuser();
    try {
      const brokers = [{ host: '127.0.0.1', port: refuser.port }, { host: aedes.host, port: aedes.port }];
      const first = await wake(undefined, { brokers }, 1);
      expect(first.ok).toBe(true);
      expect(refuser.count()).toBe(1);
      const second = await wake(first.retained, { brokers }, 2);
      expect(second.ok).toBe(true);
      expect(refuser.count()).toBe(1);
    } finally {
      await refuser.close();
    }
  });

  it('resolves host names through the socket port (localhost)', async () => {
    const w = await wake(undefined, { brokers: [{ host: 'localhost', port: aedes.port }] }, 1);
    expect(w.ok).toBe(true);
  });

  it('an unknown host name fails that broker with ERR_DNS and moves on', async () => {
    const w = await wake(undefined, { brokers: [{ host: 'no-such-broker.invalid', port: 1883 }, { host: aedes.host, port: aedes.port }] }, 1);
    expect(w.ok).toBe(true);
    expect(w.log.entries.find((e) => e.code === 'mqtt.connect_failed')?.fields).toMatchObject({ broker: 0, code: 'ERR_DNS' });
  });
});

describe('hard awake deadline', () => {
  it('stops trying when the deadline passes: open() resolves false, the socket is closed', async () => {
    let closed = 0;
    const blackhole = net.createServer((c) => {
      c.resume(); // read (and ignore) CONNECT, so the device's FIN is seen
      c.on('close', () => (closed += 1));
      c.on('error', () => undefined);
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as net.AddressInfo).port;
    const ports = realPorts();
    const link = createMqttLink({ ...ports, brokers: [{ host: '127.0.0.1', port }], clientId: 'dev-8', topics, will: Uint8Array.of(0), connectTimeoutMs: 60_000 });
    try {
      expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 200, status: Uint8Array.of(0xa0) })).toBe(false);
      expect(ports.log.codes()).toContain('mqtt.deadline');
      expect(link.retryDelayMs()).toBeLessThan(5000);
      await expect(link.publish(topics.up, Uint8Array.of(1))).rejects.toMatchObject({ code: 'ERR_DEADLINE' });
      await new Promise<void>((resolve) => {
        const poll = (): void => (closed > 0 ? resolve() : void setTimeout(poll, 5));
        poll();
      });
    } finally {
      await link.close();
      await new Promise((r) => blackhole.close(r));
    }
  });

  it('rejects publishes outstanding at the deadline with ERR_DEADLINE and leaves with DISCONNECT (so no will)', async () => {
    const fake = await new FakeBroker((p, conn) => {
      if (p.cmd === 'publish' && p.topic === topics.up) return; // never acknowledged
      politeBroker(p, conn);
    }).start();
    try {
      const ports = realPorts();
      const link = createMqttLink({ ...ports, brokers: [{ host: '127.0.0.1', port: fake.port }], clientId: 'dev-9', topics, will: Uint8Array.of(0) });
      expect(await link.open({ deadlineMs: ports.clock.monotonicMs() + 300, status: Uint8Array.of(0xa0) })).toBe(true);
      await expect(link.publish(topics.up, Uint8Array.of(1))).rejects.toMatchObject({ code: 'ERR_DEADLINE' });
      expect(link.isConnected()).toBe(false);
      await fake.waitFor(() => fake.all().some((x) => x.cmd === 'disconnect'));
      await fake.connections[0]!.closed;
      await expect(link.publish(topics.up, Uint8Array.of(2))).rejects.toMatchObject({ code: 'ERR_DEADLINE' });
      await link.close();
    } finally {
      await fake.close();
    }
  });
});
