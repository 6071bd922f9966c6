/**
 * Byte socket shaped like ECMA-419's TCP socket (embedded:io/socket/tcp, Moddable
 * modules/io/socket/lwip/tcp.c): connect to an IP address and port, callbacks for readable,
 * writable, error and close, non-blocking read and write. Owned by the transport issue (#3).
 *
 * Contract (test/contract/socket.ts checks it on every host; the Node host is the strictest):
 * - `connect()` returns at once; no callback runs before it returns, nor inside read/write/close.
 * - The first `onWritable(n)` says the connection is established; later ones say that `n` bytes
 *   may be written now (space freed up).
 * - `onReadable(n)`: `n` bytes are waiting in total; `read()` takes them.
 * - `write(bytes)` sends at most the writable count: more throws ERR_SOCKET_OVERFLOW (as
 *   ECMA-419's "overflow"); before the connection is up it throws ERR_SOCKET_NOT_CONNECTED;
 *   after close or an error, ERR_SOCKET_CLOSED. It returns the bytes still writable.
 * - Exactly one of `onError` (connect failed: ERR_SOCKET_CONNECT; connection broke:
 *   ERR_SOCKET_CLOSED) or `onClose` (the peer ended the stream in order) ends the socket, at
 *   most once. Bytes that arrived before the end stay readable; writing is refused.
 * - `close()` is idempotent, and after it no callback runs.
 *
 * DNS: ECMA-419 sockets take an IP address only, so the port also resolves names
 * (Moddable: System.resolve; Node: dns.lookup).
 */
export interface SocketOptions {
  /** IPv4 or IPv6 address (not a host name: see SocketPort.resolve). */
  address: string;
  port: number;
  /** TLS with SNI host name and optional DER CA certificates; hosts without TLS throw ERR_SOCKET_TLS_UNSUPPORTED. */
  tls?: { host: string; ca?: Uint8Array[] };
  onReadable?(bytes: number): void;
  onWritable?(bytes: number): void;
  onError?(error: Error): void;
  onClose?(): void;
}

export interface Socket {
  /** Up to `max` bytes that have arrived (all of them without `max`), or undefined when none are waiting. */
  read(max?: number): Uint8Array | undefined;
  /** Sends bytes (at most the writable count); returns the bytes still writable afterwards. */
  write(bytes: Uint8Array): number;
  close(): void;
}

export interface SocketPort {
  connect(options: SocketOptions): Socket;
  /** The address of a host name (an IP literal resolves to itself); rejects with ERR_DNS. */
  resolve(host: string): Promise<string>;
}
