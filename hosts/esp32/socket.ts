/**
 * SocketPort on Moddable: embedded:io/socket/tcp (lwIP raw API) and, for TLS, the TLS socket of
 * examples/io/tcp/tlssocket (Moddable's JavaScript TLS 1.2) over it; names through System.resolve.
 * The port's contract (firmware/ports/socket.ts) is met on top of what lwIP TCP does:
 * - read(n) throws on lwIP when n exceeds the bytes waiting: we count them (onReadable gives the
 *   total waiting) and never ask for more.
 * - write throws "not ready" before the connection and "would block" past the send buffer: we
 *   throw the port's codes first, from our own count of the writable bytes.
 * - onError() carries no detail, and lwIP reports an orderly end by the peer (FIN) the same way
 *   as a reset: before the first onWritable it is ERR_SOCKET_CONNECT; after it, onClose() (the
 *   usual case, and what an HTTP body read to the end needs; a reset mid-body shows up as a
 *   short body to the caller, who knows the length it expects).
 * - Callbacks arrive from Moddable's event loop, never inside connect/read/write/close, and
 *   none after close().
 *
 * Before the radio is up, connect() and resolve() wait for it (`network.up`), so the core never
 * has to know there is a Wi-Fi join in between.
 */
import { FirmwareError, type Socket, type SocketOptions, type SocketPort } from '../esp32-core.js';
import type { Resolve, TcpConstructor, TcpSocket, TlsConstructor } from './moddable-types.js';

export interface NetworkGate {
  /** Resolves when the station has an address; rejects (ERR_WIFI_JOIN) when it cannot get one. */
  up(): Promise<void>;
}

export interface Esp32SocketOptions {
  tcp: TcpConstructor;
  /** Without it, a TLS connect throws ERR_SOCKET_TLS_UNSUPPORTED. */
  tls?: TlsConstructor;
  resolve: Resolve;
  network: NetworkGate;
  /** Gives up on a name lwIP has not answered for (its own retries can run long). */
  dnsTimeoutMs?: number;
  setTimer: (callback: () => void, ms: number) => () => void;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+(%\w+)?$/;

export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || (host.includes(':') && IPV6.test(host));
}

type State = 'waiting' | 'connecting' | 'open' | 'ended' | 'closed';

class Esp32Socket implements Socket {
  readonly #o: Esp32SocketOptions;
  readonly #options: SocketOptions;
  #socket: TcpSocket | undefined;
  #state: State = 'waiting';
  #waiting = 0;
  #writable = 0;

  constructor(o: Esp32SocketOptions, options: SocketOptions) {
    this.#o = o;
    this.#options = options;
    if (options.tls !== undefined && o.tls === undefined) throw new FirmwareError('ERR_SOCKET_TLS_UNSUPPORTED');
    if (!isIpLiteral(options.address)) throw new FirmwareError('ERR_SOCKET_CONNECT', `not an IP address: ${options.address}`);
    o.network.up().then(() => this.#open(), (error: unknown) => this.#fail(error instanceof Error ? error : new FirmwareError('ERR_SOCKET_CONNECT')));
  }

  #open(): void {
    if (this.#state !== 'waiting') return;
    this.#state = 'connecting';
    const callbacks = {
      address: this.#options.address,
      port: this.#options.port,
      nodelay: true,
      onReadable: (bytes: number) => {
        if (this.#state === 'closed') return;
        this.#waiting = bytes;
        this.#options.onReadable?.(bytes);
      },
      onWritable: (bytes: number) => {
        if (this.#state === 'closed' || this.#state === 'ended') return;
        this.#writable = bytes;
        if (this.#state === 'connecting') this.#state = 'open';
        this.#options.onWritable?.(bytes);
      },
      onError: () => {
        if (this.#state === 'closed' || this.#state === 'ended') return;
        if (this.#state === 'connecting') this.#fail(new FirmwareError('ERR_SOCKET_CONNECT', `${this.#options.address}:${this.#options.port}`));
        else {
          this.#state = 'ended';
          this.#writable = 0;
          this.#options.onClose?.();
        }
      },
    };
    try {
      const tls = this.#options.tls;
      this.#socket = tls === undefined
        ? new this.#o.tcp(callbacks)
        : new this.#o.tls!({ ...callbacks, host: tls.host, secure: secureOptions(tls.ca), TCP: { io: this.#o.tcp } });
    } catch (error) {
      this.#fail(new FirmwareError('ERR_SOCKET_CONNECT', (error as Error).message));
    }
  }

  #fail(error: Error): void {
    if (this.#state === 'closed' || this.#state === 'ended') return;
    this.#state = 'ended';
    this.#writable = 0;
    this.#socket?.close();
    this.#socket = undefined;
    this.#options.onError?.(error);
  }

  read(max?: number): Uint8Array | undefined {
    if (this.#state === 'closed' || this.#socket === undefined || this.#waiting === 0) return undefined;
    const n = max === undefined ? this.#waiting : Math.min(max, this.#waiting);
    if (n <= 0) return undefined;
    const buffer = this.#socket.read(n);
    if (buffer === undefined) {
      this.#waiting = 0;
      return undefined;
    }
    this.#waiting -= buffer.byteLength;
    return new Uint8Array(buffer);
  }

  write(bytes: Uint8Array): number {
    if (this.#state === 'closed' || this.#state === 'ended') throw new FirmwareError('ERR_SOCKET_CLOSED');
    if (this.#state !== 'open' || this.#socket === undefined) throw new FirmwareError('ERR_SOCKET_NOT_CONNECTED');
    if (bytes.length > this.#writable) throw new FirmwareError('ERR_SOCKET_OVERFLOW', `${bytes.length} > ${this.#writable} writable`);
    if (bytes.length === 0) return this.#writable;
    const left = this.#socket.write(bytes);
    this.#writable = typeof left === 'number' ? left : Math.max(0, this.#writable - bytes.length);
    return this.#writable;
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#socket?.close();
    this.#socket = undefined;
  }
}

/** ssl/session options: a given CA replaces the certificates built into the firmware. */
function secureOptions(ca: readonly Uint8Array[] | undefined): Record<string, unknown> {
  const first = ca?.[0];
  if (first === undefined) return {};
  return { certificate: first.slice().buffer };
}

export function createEsp32SocketPort(o: Esp32SocketOptions): SocketPort {
  return {
    connect: (options) => new Esp32Socket(o, options),
    async resolve(host) {
      if (typeof host !== 'string' || host === '') throw new FirmwareError('ERR_DNS', String(host));
      if (isIpLiteral(host)) return host;
      await o.network.up();
      return new Promise<string>((resolve, reject) => {
        let settled = false;
        const cancel = o.setTimer(() => {
          if (settled) return;
          settled = true;
          reject(new FirmwareError('ERR_DNS', `${host}: no answer in ${o.dnsTimeoutMs ?? 10_000} ms`));
        }, o.dnsTimeoutMs ?? 10_000);
        o.resolve(host, (_name, address) => {
          if (settled) return;
          settled = true;
          cancel();
          if (typeof address === 'string' && address !== '') resolve(address);
          else reject(new FirmwareError('ERR_DNS', host));
        });
      });
    },
  };
}
