/**
 * SocketPort on node:net and node:tls. Deliberately as strict as the device (complaint 3 of
 * shared/style.md): writes are bounded by a send buffer like lwIP's (ERR_SOCKET_OVERFLOW past
 * it), refused before the connection is up, and no callback ever runs inside connect, read,
 * write or close. The contract is in firmware/ports/socket.ts and test/contract/socket.ts.
 */
import net from 'node:net';
import tls from 'node:tls';
import { lookup } from 'node:dns/promises';
import { X509Certificate } from 'node:crypto';
import { FirmwareError, type Socket, type SocketOptions, type SocketPort } from '../../firmware/index.js';

export interface NodeSocketPortOptions {
  /** Bytes that may be queued for sending (the ESP32's lwIP send buffer is about 5.7 kB). */
  sendBufferBytes?: number;
  /** Received bytes kept before Node stops reading (TCP flow control then slows the peer). */
  receiveBufferBytes?: number;
  /** Accept TLS servers whose certificate does not verify (tests with self-signed brokers only). */
  insecureTls?: boolean;
}

export function createNodeSocketPort(options: NodeSocketPortOptions = {}): SocketPort {
  const sendBuffer = options.sendBufferBytes ?? 5744;
  const receiveBuffer = options.receiveBufferBytes ?? 16384;
  return {
    connect: (socketOptions) => new NodeSocket(socketOptions, sendBuffer, receiveBuffer, options.insecureTls === true),
    async resolve(host) {
      if (net.isIP(host) !== 0) return host;
      try {
        return (await lookup(host)).address;
      } catch (error) {
        throw new FirmwareError('ERR_DNS', `${host}: ${(error as Error).message}`);
      }
    },
  };
}

type State = 'connecting' | 'open' | 'ended' | 'closed';

class NodeSocket implements Socket {
  readonly #options: SocketOptions;
  readonly #stream: net.Socket;
  readonly #sendBuffer: number;
  readonly #receiveBuffer: number;
  #state: State = 'connecting';
  #chunks: Buffer[] = [];
  #waiting = 0;
  #needsWritable = false;

  constructor(options: SocketOptions, sendBuffer: number, receiveBuffer: number, insecureTls: boolean) {
    if (net.isIP(options.address) === 0) throw new FirmwareError('ERR_SOCKET_CONNECT', `not an IP address: ${options.address}`);
    this.#options = options;
    this.#sendBuffer = sendBuffer;
    this.#receiveBuffer = receiveBuffer;
    const secure = options.tls;
    this.#stream = secure === undefined
      ? net.connect({ host: options.address, port: options.port, noDelay: true })
      : tls.connect({
        host: options.address,
        port: options.port,
        servername: net.isIP(secure.host) === 0 ? secure.host : undefined,
        ca: secure.ca?.map(derToPem),
        rejectUnauthorized: !insecureTls,
        // Verify against the name the caller meant, not the address we dialled.
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(secure.host, cert),
      });
    this.#stream.setNoDelay(true);
    const stream = this.#stream;
    stream.once(secure === undefined ? 'connect' : 'secureConnect', () => {
      if (this.#state !== 'connecting') return;
      this.#state = 'open';
      this.#options.onWritable?.(this.#writable());
    });
    stream.on('data', (chunk: Buffer) => {
      if (this.#state === 'closed') return;
      this.#chunks.push(chunk);
      this.#waiting += chunk.length;
      if (this.#waiting >= this.#receiveBuffer) stream.pause();
      this.#options.onReadable?.(this.#waiting);
    });
    stream.on('end', () => {
      if (this.#state !== 'open') return;
      this.#state = 'ended';
      stream.end();
      this.#options.onClose?.();
    });
    stream.on('error', (error: Error) => {
      const state = this.#state;
      if (state === 'closed' || state === 'ended') return;
      this.#state = 'ended';
      stream.destroy();
      const code = state === 'connecting' ? 'ERR_SOCKET_CONNECT' : 'ERR_SOCKET_CLOSED';
      this.#options.onError?.(new FirmwareError(code, error.message));
    });
    stream.on('close', () => {
      // A close without 'end' or 'error' (e.g. destroyed by the peer's RST without an error event).
      if (this.#state === 'open' || this.#state === 'connecting') {
        const code = this.#state === 'connecting' ? 'ERR_SOCKET_CONNECT' : 'ERR_SOCKET_CLOSED';
        this.#state = 'ended';
        this.#options.onError?.(new FirmwareError(code, 'connection closed'));
      }
    });
  }

  read(max?: number): Uint8Array | undefined {
    if (this.#waiting === 0) return undefined;
    const take = Math.min(this.#waiting, max ?? this.#waiting);
    if (take <= 0) return undefined;
    const out = new Uint8Array(take);
    let filled = 0;
    while (filled < take) {
      const chunk = this.#chunks[0]!;
      const n = Math.min(chunk.length, take - filled);
      out.set(chunk.subarray(0, n), filled);
      filled += n;
      if (n === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(n);
    }
    this.#waiting -= take;
    if (this.#waiting < this.#receiveBuffer && this.#stream.isPaused() && this.#state !== 'closed') this.#stream.resume();
    return out;
  }

  write(bytes: Uint8Array): number {
    if (this.#state === 'connecting') throw new FirmwareError('ERR_SOCKET_NOT_CONNECTED');
    if (this.#state !== 'open') throw new FirmwareError('ERR_SOCKET_CLOSED');
    const writable = this.#writable();
    if (bytes.length > writable) {
      this.#needsWritable = true;
      throw new FirmwareError('ERR_SOCKET_OVERFLOW', `${bytes.length} > ${writable}`);
    }
    // Copy: the caller may reuse its buffer once write returns, as on the device.
    // The write callback runs once the chunk has left for the kernel: space freed, announce it.
    this.#needsWritable = true;
    this.#stream.write(Buffer.from(bytes), () => this.#announceWritable());
    return this.#writable();
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#chunks = [];
    this.#waiting = 0;
    // Let queued bytes (a DISCONNECT) go out, then FIN; destroy if the peer is gone.
    this.#stream.end();
    this.#stream.once('error', () => undefined);
    const timer = setTimeout(() => this.#stream.destroy(), 2000);
    timer.unref();
    this.#stream.once('close', () => clearTimeout(timer));
  }

  #writable(): number {
    return Math.max(0, this.#sendBuffer - this.#stream.writableLength);
  }

  #announceWritable(): void {
    if (this.#state !== 'open' || !this.#needsWritable) return;
    this.#needsWritable = false;
    this.#options.onWritable?.(this.#writable());
  }
}

function derToPem(der: Uint8Array): string {
  return new X509Certificate(Buffer.from(der)).toString();
}
