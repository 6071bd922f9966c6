/**
 * A scripted MQTT "broker" on a raw TCP server: it parses what the client sends with
 * mqtt-packet and lets the test answer anything, including malformed bytes.
 */
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface FakeConnection {
  readonly index: number;
  readonly packets: Packet[];
  send(bytes: Uint8Array | Packet): void;
  destroy(): void;
  readonly closed: Promise<void>;
}

export type Script = (packet: Packet, conn: FakeConnection) => void;

/** Answers CONNECT with CONNACK 0, PUBLISH QoS 1 with PUBACK, SUBSCRIBE with SUBACK 1, PINGREQ with PINGRESP. */
export const politeBroker: Script = (p, conn) => {
  switch (p.cmd) {
    case 'connect': return conn.send({ cmd: 'connack', returnCode: 0, sessionPresent: false });
    case 'publish': if (p.qos === 1) conn.send({ cmd: 'puback', messageId: p.messageId! }); return;
    case 'subscribe': return conn.send({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map(() => 1) });
    case 'pingreq': return conn.send({ cmd: 'pingresp' });
    default:
  }
};

export class FakeBroker {
  readonly connections: FakeConnection[] = [];
  script: Script;
  #server = net.createServer((s) => this.#accept(s));
  #sockets = new Set<net.Socket>();
  #waiters: Array<() => void> = [];
  port = 0;

  constructor(script: Script = politeBroker) {
    this.script = script;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => this.#server.close(r));
  }

  /** All packets received on all connections, flattened. */
  all(): Packet[] {
    return this.connections.flatMap((c) => c.packets);
  }

  waitFor(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (predicate()) {
          this.#waiters = this.#waiters.filter((w) => w !== check);
          resolve();
        }
      };
      this.#waiters.push(check);
    });
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }

  #accept(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on('error', () => undefined);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => (resolveClosed = r));
    const conn: FakeConnection = {
      index: this.connections.length,
      packets: [],
      send: (b) => {
        if (!socket.destroyed) socket.write(b instanceof Uint8Array ? b : mqttPacket.generate(b));
      },
      destroy: () => socket.destroy(),
      closed,
    };
    this.connections.push(conn);
    socket.on('close', () => {
      this.#sockets.delete(socket);
      resolveClosed();
      this.#notify();
    });
    parser.on('packet', (p: Packet) => {
      conn.packets.push(p);
      this.script(p, conn);
      this.#notify();
    });
    socket.on('data', (d) => parser.parse(d));
    this.#notify();
  }
}
