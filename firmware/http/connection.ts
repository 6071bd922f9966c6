/**
 * One TCP (or TLS) connection seen as async reads and writes, over the ECMA-419-shaped socket
 * port (firmware/ports/socket.ts), with the timeouts Moddable's HTTP client lacks
 * (shared/reference/moddable.md 5.3): connect (DNS included), idle (no progress while
 * waiting to read or write) and an optional total budget. Every timeout closes the socket and
 * fails the waiting call with ERR_HTTP_TIMEOUT.
 *
 * Reads are pulled: bytes stay in the socket (and TCP flow control slows the peer) until the
 * caller asks, so a body is never buffered whole.
 */
import { FirmwareError } from '../errors.js';
import type { Socket, SocketPort } from '../ports/socket.js';
import type { TimerHandle, TimerPort } from '../ports/timer.js';

export interface ConnectTarget {
  host: string;
  port: number;
  /** TLS with SNI = host. */
  tls?: { ca?: Uint8Array[] };
}

export interface Timeouts {
  connectMs: number;
  idleMs: number;
  /** Whole exchange, from connect to the end of the body; undefined = none. */
  totalMs?: number;
}

export class Connection {
  readonly #timer: TimerPort;
  readonly #idleMs: number;
  #socket: Socket | undefined;
  #writable = 0;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  #idle: TimerHandle | undefined;
  #total: TimerHandle | undefined;
  #closed = false;

  private constructor(timer: TimerPort, timeouts: Timeouts) {
    this.#timer = timer;
    this.#idleMs = timeouts.idleMs;
  }

  static async open(port: SocketPort, timer: TimerPort, target: ConnectTarget, timeouts: Timeouts): Promise<Connection> {
    const c = new Connection(timer, timeouts);
    if (timeouts.totalMs !== undefined) c.#total = timer.set(() => c.#fail(new FirmwareError('ERR_HTTP_TIMEOUT', `no answer within ${timeouts.totalMs} ms`)), timeouts.totalMs);
    const connectTimer = timer.set(() => c.#fail(new FirmwareError('ERR_HTTP_TIMEOUT', `connect to ${target.host}:${target.port} took over ${timeouts.connectMs} ms`)), timeouts.connectMs);
    try {
      const address = await Promise.race([port.resolve(target.host), c.#waitFor(() => c.#error !== undefined)]);
      c.#check();
      c.#socket = port.connect({
        address: address as string,
        port: target.port,
        ...(target.tls === undefined ? {} : { tls: { host: target.host, ...(target.tls.ca === undefined ? {} : { ca: target.tls.ca }) } }),
        onReadable: () => c.#progress(),
        onWritable: (n) => { c.#writable = n; c.#progress(); },
        onClose: () => { c.#ended = true; c.#progress(); },
        onError: (error) => { c.#error ??= error; c.#progress(); },
      });
      // The first onWritable says the connection is up (ECMA-419).
      while (c.#writable === 0) {
        c.#check();
        if (c.#ended) throw new FirmwareError('ERR_SOCKET_CLOSED', 'closed while connecting');
        await c.#waitFor(() => c.#writable > 0 || c.#ended || c.#error !== undefined);
      }
      return c;
    } catch (error) {
      c.close();
      throw error;
    } finally {
      timer.clear(connectTimer);
    }
  }

  #check(): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.#closed) throw new FirmwareError('ERR_SOCKET_CLOSED', 'connection closed');
  }

  #progress(): void {
    if (this.#idle !== undefined) this.#armIdle();
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #armIdle(): void {
    if (this.#idle !== undefined) this.#timer.clear(this.#idle);
    this.#idle = this.#timer.set(() => this.#fail(new FirmwareError('ERR_HTTP_TIMEOUT', `no progress for ${this.#idleMs} ms`)), this.#idleMs);
  }

  #fail(error: Error): void {
    this.#error ??= error;
    this.#socket?.close();
    this.#progress();
  }

  /** Resolves when a socket event happens (or at once if `ready` holds). Only one waiter at a time. */
  #waitFor(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => { this.#wake = resolve; });
  }

  async #waitWithIdle(ready: () => boolean): Promise<void> {
    this.#armIdle();
    try {
      await this.#waitFor(ready);
    } finally {
      if (this.#idle !== undefined) this.#timer.clear(this.#idle);
      this.#idle = undefined;
    }
  }

  /** Up to `max` bytes, waiting for some; undefined once the peer has ended the stream. */
  async read(max: number): Promise<Uint8Array | undefined> {
    for (;;) {
      this.#check();
      const bytes = this.#socket!.read(max);
      if (bytes !== undefined && bytes.length > 0) return bytes;
      if (this.#ended) return undefined;
      await this.#waitWithIdle(() => this.#ended || this.#error !== undefined || this.#closed);
    }
  }

  /** Writes all of `bytes`, as fast as the socket's writable count allows. */
  async write(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      this.#check();
      if (this.#ended) throw new FirmwareError('ERR_SOCKET_CLOSED', 'peer closed before the request was sent');
      if (this.#writable === 0) {
        await this.#waitWithIdle(() => this.#writable > 0 || this.#ended || this.#error !== undefined || this.#closed);
        continue;
      }
      const n = Math.min(this.#writable, bytes.length - at);
      this.#writable = this.#socket!.write(bytes.subarray(at, at + n));
      at += n;
    }
  }

  /** Idempotent; fails a pending read or write with ERR_SOCKET_CLOSED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#total !== undefined) this.#timer.clear(this.#total);
    if (this.#idle !== undefined) this.#timer.clear(this.#idle);
    this.#socket?.close();
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
