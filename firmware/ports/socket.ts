/**
 * Byte socket shaped like ECMA-419's TCP socket (embedded:io/socket/tcp): callbacks for
 * readable/writable/error/close, non-blocking read and write. Owned by the transport issue (#3);
 * refine here, keep it small.
 */
export interface SocketOptions {
  address: string;
  port: number;
  /** TLS with SNI host name; hosts without TLS throw ERR_SOCKET_TLS_UNSUPPORTED. */
  tls?: { host: string; ca?: Uint8Array[] };
  onReadable?(bytes: number): void;
  onWritable?(bytes: number): void;
  onError?(error: Error): void;
  onClose?(): void;
}

export interface Socket {
  /** Up to `max` bytes that have arrived, or undefined when none are waiting. */
  read(max?: number): Uint8Array | undefined;
  /** Queues bytes; returns the bytes still writable afterwards. */
  write(bytes: Uint8Array): number;
  close(): void;
}

export interface SocketPort {
  connect(options: SocketOptions): Socket;
}
