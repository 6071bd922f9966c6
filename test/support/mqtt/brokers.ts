/**
 * Brokers for MQTT tests: Aedes in process (always), and the broker at MQTT_URL (Mosquitto in
 * CI) when set, behind a small TCP proxy so a test can "restart" it (drop every connection and
 * refuse new ones for a moment) without touching the real service.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Aedes } from 'aedes';
// Aedes's default persistence, shared by a broker and its restarted successor so that sessions
// and queued messages survive the restart (as with a broker that persists to disk).
import memoryPersistence from 'aedes-persistence';
import mqtt, { type MqttClient } from 'mqtt';

export interface TestBroker {
  readonly name: string;
  /** Where the device connects (host is an IP literal). */
  readonly host: string;
  readonly port: number;
  /** Where consumers connect (mqtt.js URL). */
  readonly url: string;
  /** Stops the broker (or cuts the proxy), dropping every client, then starts again on the same port. */
  restart(between?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export interface BrokerTarget {
  name: string;
  start(): Promise<TestBroker>;
}

function listen(server: net.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function track(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startAedes(): Promise<TestBroker> {
  const persistence = memoryPersistence();
  let broker = await Aedes.createBroker({ persistence });
  let server = net.createServer(broker.handle);
  let sockets = track(server);
  const port = await listen(server);
  return {
    name: 'aedes',
    host: '127.0.0.1',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async restart(between) {
      await closeServer(server, sockets);
      await new Promise<void>((r) => broker.close(() => r()));
      await between?.();
      broker = await Aedes.createBroker({ persistence });
      server = net.createServer(broker.handle);
      sockets = track(server);
      await listen(server, port);
    },
    async close() {
      await closeServer(server, sockets);
      await new Promise<void>((r) => broker.close(() => r()));
    },
  };
}

/** A TCP proxy to `target` that can be cut and restored on the same port. */
export async function startProxy(targetHost: string, targetPort: number): Promise<{ port: number; cut(between?: () => Promise<void>): Promise<void>; close(): Promise<void> }> {
  const make = (): { server: net.Server; sockets: Set<net.Socket> } => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
      const upstream = net.connect(targetPort, targetHost);
      sockets.add(client);
      sockets.add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    return { server, sockets };
  };
  let current = make();
  const port = await listen(current.server);
  return {
    port,
    async cut(between) {
      await closeServer(current.server, current.sockets);
      await between?.();
      current = make();
      await listen(current.server, port);
    },
    close: () => closeServer(current.server, current.sockets),
  };
}

export async function startExternal(url: string): Promise<TestBroker> {
  const u = new URL(url);
  const host = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname;
  const proxy = await startProxy(host, Number(u.port || 1883));
  return {
    name: `external ${url}`,
    host: '127.0.0.1',
    port: proxy.port,
    url,
    restart: (between) => proxy.cut(between),
    close: () => proxy.close(),
  };
}

/** Aedes always; plus MQTT_URL when set. */
export function brokerTargets(): BrokerTarget[] {
  const targets: BrokerTarget[] = [{ name: 'aedes', start: startAedes }];
  const url = process.env.MQTT_URL;
  if (url !== undefined && url !== '') targets.push({ name: `MQTT_URL (${url})`, start: () => startExternal(url) });
  return targets;
}

/** Unique names: the machine's Mosquitto keeps retained messages and sessions across runs. */
export function uniqueId(label: string): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

export async function connectConsumer(url: string, options: { clientId?: string; clean?: boolean } = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId: options.clientId ?? uniqueId('consumer'),
    clean: options.clean ?? true,
    reconnectPeriod: 100,
    connectTimeout: 5000,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/** Collects messages of a consumer; `waitFor` resolves once a predicate over them holds. */
export class Inbox {
  readonly messages: Array<{ topic: string; payload: Uint8Array; retain: boolean }> = [];
  #waiters: Array<() => void> = [];

  constructor(client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: new Uint8Array(payload), retain: packet.retain });
      for (const w of this.#waiters) w();
    });
  }

  waitFor(predicate: (messages: Inbox['messages']) => boolean): Promise<void> {
    if (predicate(this.messages)) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (predicate(this.messages)) {
          this.#waiters = this.#waiters.filter((w) => w !== check);
          resolve();
        }
      };
      this.#waiters.push(check);
    });
  }
}

/**
 * Leaves an external broker as it was found: clears retained messages on `retainedTopics` and
 * ends the persistent sessions of `sessionClientIds` (a clean-session connect discards them).
 */
export async function tidyBroker(url: string, retainedTopics: readonly string[], sessionClientIds: readonly string[] = []): Promise<void> {
  for (const clientId of sessionClientIds) {
    const c = await connectConsumer(url, { clientId, clean: true });
    await c.endAsync();
  }
  if (retainedTopics.length === 0) return;
  const c = await connectConsumer(url);
  for (const topic of retainedTopics) await c.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true });
  await c.endAsync();
}
