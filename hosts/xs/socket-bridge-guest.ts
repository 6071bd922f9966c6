/**
 * XS side of the socket and timer bridge: a SocketPort, TimerPort and ClockPort for code running
 * inside xsnap, whose real sockets and timers live in the Node process (socket-bridge.ts).
 *
 * XS to Node (synchronous, callHost): socket.connect / socket.write / socket.close /
 * socket.resolve, timer.set / timer.clear, clock.now.
 * Node to XS (one worker call per event, handler 'bridge.event'): writable, data, error, close,
 * timer. Bytes travel as hex in the JSON envelope (small test traffic; clarity over speed).
 *
 * Events arrive only between calls, so no callback ever runs inside connect/read/write/close, as
 * the SocketPort contract requires.
 */
import { fromHex, toHex } from '../../firmware/codec/bytes.js';
import { ERROR_CODES, FirmwareError, type ErrorCode } from '../../firmware/errors.js';
import type { ClockPort, Socket, SocketOptions, SocketPort, TimerHandle, TimerPort } from '../../firmware/index.js';
import { callHost } from './guest/serve.js';

export type BridgeEvent =
  | { kind: 'writable'; id: number; n: number }
  | { kind: 'data'; id: number; hex: string }
  | { kind: 'error'; id: number; code: string; message: string }
  | { kind: 'close'; id: number }
  | { kind: 'timer'; id: number };

function asFirmwareError(error: unknown): Error {
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, e.code)) {
    return new FirmwareError(e.code as ErrorCode, typeof e.message === 'string' ? e.message : undefined);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Calls Node and turns its coded errors back into FirmwareErrors. */
function host(op: string, args: unknown): unknown {
  try {
    return callHost(op, args);
  } catch (error) {
    throw asFirmwareError(error);
  }
}

class BridgedSocket implements Socket {
  readonly id: number;
  readonly options: SocketOptions;
  state: 'connecting' | 'open' | 'ended' | 'closed' = 'connecting';
  chunks: Uint8Array[] = [];
  waiting = 0;

  constructor(id: number, options: SocketOptions) {
    this.id = id;
    this.options = options;
  }

  read(max?: number): Uint8Array | undefined {
    if (this.waiting === 0) return undefined;
    const take = Math.min(this.waiting, max ?? this.waiting);
    if (take <= 0) return undefined;
    const out = new Uint8Array(take);
    let filled = 0;
    while (filled < take) {
      const chunk = this.chunks[0]!;
      const n = Math.min(chunk.length, take - filled);
      out.set(chunk.subarray(0, n), filled);
      filled += n;
      if (n === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(n);
    }
    this.waiting -= take;
    return out;
  }

  write(bytes: Uint8Array): number {
    if (this.state === 'connecting') throw new FirmwareError('ERR_SOCKET_NOT_CONNECTED');
    if (this.state !== 'open') throw new FirmwareError('ERR_SOCKET_CLOSED');
    return host('socket.write', { id: this.id, hex: toHex(bytes) }) as number;
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.chunks = [];
    this.waiting = 0;
    host('socket.close', { id: this.id });
  }

  deliver(event: BridgeEvent): void {
    if (this.state === 'closed') return;
    switch (event.kind) {
      case 'writable':
        if (this.state === 'connecting') this.state = 'open';
        if (this.state === 'open') this.options.onWritable?.(event.n);
        return;
      case 'data': {
        const bytes = fromHex(event.hex);
        this.chunks.push(bytes);
        this.waiting += bytes.length;
        this.options.onReadable?.(this.waiting);
        return;
      }
      case 'error':
        this.state = 'ended';
        this.options.onError?.(asFirmwareError({ code: event.code, message: event.message }));
        return;
      case 'close':
        this.state = 'ended';
        this.options.onClose?.();
        return;
      default:
    }
  }
}

export interface BridgedPorts {
  socket: SocketPort;
  timer: TimerPort;
  clock: ClockPort;
  /** The guest handler for serve(): delivers one Node event. */
  handlers: { 'bridge.event': (event: unknown) => null };
}

export function createBridgedPorts(): BridgedPorts {
  const sockets = new Map<number, BridgedSocket>();
  const timers = new Map<number, () => void>();
  let nextSocket = 1;
  let nextTimer = 1;
  let wallOffsetMs = 0;
  const socket: SocketPort = {
    connect(options) {
      const id = nextSocket++;
      const s = new BridgedSocket(id, options);
      host('socket.connect', { id, address: options.address, port: options.port, ...(options.tls === undefined ? {} : { tls: { host: options.tls.host, ca: (options.tls.ca ?? []).map(toHex) } }) });
      sockets.set(id, s);
      return s;
    },
    resolve: (name) => {
      try {
        return Promise.resolve(host('socket.resolve', { host: name }) as string);
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
  const timer: TimerPort = {
    set(callback, ms) {
      const id = nextTimer++;
      timers.set(id, callback);
      host('timer.set', { id, ms });
      return Object.freeze({ id });
    },
    clear(handle: TimerHandle) {
      if (timers.delete(handle.id)) host('timer.clear', { id: handle.id });
    },
  };
  const clock: ClockPort = {
    monotonicMs: () => host('clock.monotonic', null) as number,
    wallMs: () => (host('clock.wall', null) as number) + wallOffsetMs,
    setWallMs(utcMs) {
      wallOffsetMs = utcMs - (host('clock.wall', null) as number);
    },
  };
  const handlers = {
    'bridge.event': (raw: unknown): null => {
      const event = raw as BridgeEvent;
      if (event.kind === 'timer') {
        const callback = timers.get(event.id);
        timers.delete(event.id);
        callback?.();
      } else {
        const s = sockets.get(event.id);
        s?.deliver(event);
        if (s !== undefined && (event.kind === 'error' || event.kind === 'close')) sockets.delete(event.id);
      }
      return null;
    },
  };
  return { socket, timer, clock, handlers };
}
