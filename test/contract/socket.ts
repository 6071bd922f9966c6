import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFirmwareError, type Socket, type SocketOptions, type SocketPort } from '../../firmware/index.js';

/**
 * Contract of the SocketPort (firmware/ports/socket.ts), as aedes-persistence/abstract.js does
 * for stores: every host runs it against a real TCP server on an ephemeral port.
 */

type Event =
  | { kind: 'writable'; n: number }
  | { kind: 'readable'; n: number }
  | { kind: 'error'; error: Error }
  | { kind: 'close' };

/** Records the callbacks of one socket and lets a test await the next event of a kind. */
export class Probe {
  readonly events: Event[] = [];
  #waiters: Array<{ kind: Event['kind']; resolve: (e: Event) => void }> = [];
  /** True while a port method of ours is running: a callback then would be re-entrant. */
  inCall = false;
  reentrant = 0;
  socket!: Socket;

  options(address: string, port: number): SocketOptions {
    const push = (e: Event): void => {
      if (this.inCall) this.reentrant += 1;
      this.events.push(e);
      this.#waiters = this.#waiters.filter((w) => {
        if (w.kind !== e.kind) return true;
        w.resolve(e);
        return false;
      });
    };
    return {
      address,
      port,
      onWritable: (n) => push({ kind: 'writable', n }),
      onReadable: (n) => push({ kind: 'readable', n }),
      onError: (error) => push({ kind: 'error', error }),
      onClose: () => push({ kind: 'close' }),
    };
  }

  next(kind: Event['kind']): Promise<Event> {
    return new Promise((resolve) => this.#waiters.push({ kind, resolve }));
  }

  /** The first event of a kind, already seen or still to come. */
  first(kind: Event['kind']): Promise<Event> {
    const seen = this.events.find((e) => e.kind === kind);
    return seen !== undefined ? Promise.resolve(seen) : this.next(kind);
  }

  call<T>(f: () => T): T {
    this.inCall = true;
    try {
      return f();
    } finally {
      this.inCall = false;
    }
  }

  count(kind: Event['kind']): number {
    return this.events.filter((e) => e.kind === kind).length;
  }

  /** Reads until `count` bytes have arrived. */
  async readExactly(count: number): Promise<Uint8Array> {
    const out: number[] = [];
    for (;;) {
      const chunk = this.call(() => this.socket.read());
      if (chunk !== undefined) out.push(...chunk);
      if (out.length >= count) return Uint8Array.from(out);
      await this.next('readable');
    }
  }
}

/** Listens on an ephemeral loopback port and gives its number. */
export function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** A loopback port nothing listens on (it was free a moment ago): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function describeSocketContract(name: string, factory: () => SocketPort | Promise<SocketPort>): void {
  describe(`SocketPort contract: ${name}`, () => {
    let port: SocketPort;
    let echoPort: number;
    const serverSockets = new Set<net.Socket>();
    /** What each server connection received in total, by connection order. */
    const received: number[][] = [];
    let onServerConnection: ((s: net.Socket) => void) | undefined;
    const server = net.createServer((s) => {
      serverSockets.add(s);
      s.on('close', () => serverSockets.delete(s));
      s.on('error', () => undefined);
      const log: number[] = [];
      received.push(log);
      if (onServerConnection !== undefined) return onServerConnection(s);
      s.on('data', (d) => {
        log.push(...d);
        s.write(d);
      });
    });

    beforeAll(async () => {
      port = await factory();
      echoPort = await listen(server);
    });
    afterAll(async () => {
      for (const s of serverSockets) s.destroy();
      await new Promise((r) => server.close(r));
    });

    async function open(): Promise<Probe> {
      const probe = new Probe();
      probe.socket = probe.call(() => port.connect(probe.options('127.0.0.1', echoPort)));
      expect(probe.events).toEqual([]);
      await probe.first('writable');
      return probe;
    }

    it('announces the connection with a first onWritable, never inside connect', async () => {
      const probe = new Probe();
      probe.socket = probe.call(() => port.connect(probe.options('127.0.0.1', echoPort)));
      const first = await probe.first('writable');
      expect(first.kind === 'writable' && first.n).toBeGreaterThan(0);
      expect(probe.reentrant).toBe(0);
      probe.socket.close();
    });

    it('refuses a write before the connection is up (ERR_SOCKET_NOT_CONNECTED)', async () => {
      const probe = new Probe();
      probe.socket = port.connect(probe.options('127.0.0.1', echoPort));
      expect(() => probe.socket.write(Uint8Array.of(1))).toThrowError(expect.objectContaining({ code: 'ERR_SOCKET_NOT_CONNECTED' }));
      await probe.first('writable');
      probe.socket.close();
    });

    it('writes bytes and reads the echo back, reporting the waiting count', async () => {
      const probe = await open();
      const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
      const left = probe.call(() => probe.socket.write(payload));
      expect(left).toBeGreaterThanOrEqual(0);
      const readable = await probe.next('readable');
      expect(readable.kind === 'readable' && readable.n).toBeGreaterThan(0);
      expect(await probe.readExactly(300)).toEqual(payload);
      expect(probe.socket.read()).toBeUndefined();
      expect(probe.reentrant).toBe(0);
      probe.socket.close();
    });

    it('read(max) returns at most max bytes and keeps the rest', async () => {
      const probe = await open();
      probe.socket.write(Uint8Array.of(1, 2, 3, 4, 5));
      while ((probe.events.filter((e) => e.kind === 'readable').at(-1) as { n: number } | undefined)?.n !== 5) await probe.next('readable');
      expect(probe.socket.read(2)).toEqual(Uint8Array.of(1, 2));
      expect(probe.socket.read(10)).toEqual(Uint8Array.of(3, 4, 5));
      expect(probe.socket.read(1)).toBeUndefined();
      probe.socket.close();
    });

    it('throws ERR_SOCKET_OVERFLOW past the writable count, then announces space and carries a large transfer', async () => {
      const probe = await open();
      const writable = (probe.events[0] as { n: number }).n;
      expect(() => probe.socket.write(new Uint8Array(writable + 1))).toThrowError(expect.objectContaining({ code: 'ERR_SOCKET_OVERFLOW' }));
      const total = writable * 8 + 17;
      const data = Uint8Array.from({ length: total }, (_, i) => (i * 7) & 0xff);
      let sent = 0;
      let space = writable;
      const echoed = probe.readExactly(total);
      while (sent < total) {
        if (space === 0) {
          const e = await probe.next('writable');
          space = (e as { n: number }).n;
          continue;
        }
        const n = Math.min(space, total - sent);
        space = probe.call(() => probe.socket.write(data.subarray(sent, sent + n)));
        sent += n;
      }
      expect(await echoed).toEqual(data);
      expect(probe.reentrant).toBe(0);
      probe.socket.close();
    });

    it('reports a refused connection with onError(ERR_SOCKET_CONNECT) and nothing else', async () => {
      const probe = new Probe();
      probe.socket = port.connect(probe.options('127.0.0.1', await closedPort()));
      const e = await probe.first('error');
      expect(isFirmwareError((e as { error: Error }).error, 'ERR_SOCKET_CONNECT')).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
      expect(probe.events.map((x) => x.kind)).toEqual(['error']);
      probe.socket.close();
    });

    it('calls onClose once when the peer ends; earlier bytes stay readable; writes are refused', async () => {
      onServerConnection = (s) => {
        s.end(Buffer.from('bye'));
      };
      try {
        const probe = await open();
        await probe.first('close');
        expect(probe.socket.read()).toEqual(Uint8Array.from(Buffer.from('bye')));
        expect(() => probe.socket.write(Uint8Array.of(1))).toThrowError(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
        await new Promise((r) => setTimeout(r, 20));
        expect(probe.events.filter((e) => e.kind === 'close' || e.kind === 'error')).toHaveLength(1);
        probe.socket.close();
      } finally {
        onServerConnection = undefined;
      }
    });

    it('reports a reset by the peer with onError(ERR_SOCKET_CLOSED) once', async () => {
      onServerConnection = (s) => {
        s.once('data', () => s.resetAndDestroy());
      };
      try {
        const probe = await open();
        probe.socket.write(Uint8Array.of(9));
        const e = await Promise.race([probe.first('error'), probe.first('close')]);
        // A reset is an error; some stacks see the FIN first: either ends the socket exactly once.
        if (e.kind === 'error') expect(isFirmwareError(e.error, 'ERR_SOCKET_CLOSED')).toBe(true);
        await new Promise((r) => setTimeout(r, 20));
        expect(probe.events.filter((x) => x.kind === 'close' || x.kind === 'error')).toHaveLength(1);
        expect(() => probe.socket.write(Uint8Array.of(1))).toThrowError(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
        probe.socket.close();
      } finally {
        onServerConnection = undefined;
      }
    });

    it('close() is idempotent, runs no callback afterwards and makes the peer see the end', async () => {
      const before = received.length;
      const probe = await open();
      probe.socket.write(Uint8Array.of(7, 7));
      probe.call(() => probe.socket.close());
      probe.call(() => probe.socket.close());
      const count = probe.events.length;
      expect(() => probe.socket.write(Uint8Array.of(1))).toThrowError(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
      await new Promise((r) => setTimeout(r, 50));
      expect(probe.events.length).toBe(count);
      expect(received[before]).toEqual([7, 7]);
      expect(probe.reentrant).toBe(0);
    });

    it('resolves an IP literal to itself and localhost to a loopback address', async () => {
      expect(await port.resolve('127.0.0.1')).toBe('127.0.0.1');
      expect(['127.0.0.1', '::1']).toContain(await port.resolve('localhost'));
    });

    it('rejects an unknown host name with ERR_DNS', async () => {
      await expect(port.resolve('no-such-host.invalid')).rejects.toMatchObject({ code: 'ERR_DNS' });
    });
  });
}
