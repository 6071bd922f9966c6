/**
 * The MQTT broker of a full-stack run: embedded Aedes on ephemeral ports (default), or any
 * broker by URL (Mosquitto...) behind a small TCP proxy. Devices connect through the device
 * listener, which a broker-outage fault stops (every device connection dropped, new ones
 * refused) and starts again on the same port; the consumer connects apart and stays connected,
 * as a backend in another network would.
 */
import net from 'node:net';
import { Aedes } from 'aedes';

export interface SimBroker {
  readonly kind: 'aedes' | 'external';
  /** Where devices connect (an IP literal and port). */
  readonly deviceHost: string;
  readonly devicePort: number;
  /** Where the consumer connects (mqtt.js URL). */
  readonly consumerUrl: string;
  readonly up: boolean;
  /** Outage: drop every device connection and refuse new ones. */
  stop(): Promise<void>;
  /** Back on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: net.Server, port = 0, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

interface Listener { server: net.Server; sockets: Set<net.Socket> }

function makeListener(onConnection: (socket: net.Socket) => void): Listener {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  return { server, sockets };
}

function closeListener(l: Listener): Promise<void> {
  for (const s of l.sockets) s.destroy();
  return new Promise((resolve) => l.server.close(() => resolve()));
}

/** Device listener that can go down and come back on the same port. */
async function switchableListener(onConnection: (socket: net.Socket) => void): Promise<{ port: number; stop(): Promise<void>; start(): Promise<void>; up(): boolean }> {
  let current: Listener | undefined = makeListener(onConnection);
  const port = await listen(current.server);
  return {
    port,
    up: () => current !== undefined,
    async stop() {
      if (current === undefined) return;
      const l = current;
      current = undefined;
      await closeListener(l);
    },
    async start() {
      if (current !== undefined) return;
      const l = makeListener(onConnection);
      await listen(l.server, port);
      current = l;
    },
  };
}

export async function startEmbeddedBroker(): Promise<SimBroker> {
  const broker = await Aedes.createBroker();
  const devices = await switchableListener((socket) => broker.handle(socket));
  const consumers = makeListener((socket) => broker.handle(socket));
  const consumerPort = await listen(consumers.server);
  return {
    kind: 'aedes',
    deviceHost: '127.0.0.1',
    devicePort: devices.port,
    consumerUrl: `mqtt://127.0.0.1:${consumerPort}`,
    get up() { return devices.up(); },
    stop: () => devices.stop(),
    start: () => devices.start(),
    async close() {
      await devices.stop();
      await closeListener(consumers);
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

/** Any MQTT 3.1.1 broker at `url` (mqtt://host:port); devices reach it through a cuttable proxy. */
export async function startExternalBroker(url: string): Promise<SimBroker> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--broker ${url}: not a URL (expected mqtt://host:port)`);
  }
  if (u.protocol !== 'mqtt:') throw new Error(`--broker ${url}: only mqtt:// (plain TCP) brokers are supported`);
  const host = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname;
  const port = Number(u.port || 1883);
  // Fail early and clearly when nothing listens there.
  await new Promise<void>((resolve, reject) => {
    const probe = net.connect(port, host, () => { probe.destroy(); resolve(); });
    probe.once('error', (error) => reject(new Error(`--broker ${url}: ${error.message}`)));
  });
  const proxy = await switchableListener((client) => {
    const upstream = net.connect(port, host);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return {
    kind: 'external',
    deviceHost: '127.0.0.1',
    devicePort: proxy.port,
    consumerUrl: `mqtt://${host}:${port}`,
    get up() { return proxy.up(); },
    stop: () => proxy.stop(),
    start: () => proxy.start(),
    close: () => proxy.stop(),
  };
}
