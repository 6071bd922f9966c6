/**
 * Node side of the socket and timer bridge (XS side: socket-bridge-guest.ts). It answers the
 * guest's synchronous calls with real node:net/tls sockets (hosts/node/socket.ts) and real
 * timers, and delivers socket and timer events into the worker one call at a time, in order.
 *
 *   const bridge = createSocketBridge();
 *   const worker = await startXsWorker({ entry, handleCommand: hostHandlers({ ...bridge.handlers, ...mine }) });
 *   bridge.attach(worker);
 *   ...
 *   bridge.close();
 */
import { fromHex, toHex } from '../../firmware/codec/bytes.js';
import type { Socket } from '../../firmware/index.js';
import { createNodeSocketPort, type NodeSocketPortOptions } from '../node/socket.js';
import type { XsWorker } from './worker.js';

type Event =
  | { kind: 'writable'; id: number; n: number }
  | { kind: 'data'; id: number; hex: string }
  | { kind: 'error'; id: number; code: string; message: string }
  | { kind: 'close'; id: number }
  | { kind: 'timer'; id: number };

export interface SocketBridge {
  /** Host handlers for hostHandlers(): socket.*, timer.*, clock.*. */
  readonly handlers: Readonly<Record<string, (args: unknown) => unknown>>;
  /** Starts delivering events to this worker (events before attach wait). */
  attach(worker: XsWorker): void;
  /** Closes every socket and clears every timer; no more events are delivered. */
  close(): void;
  /** The first error a delivery call raised inside XS, if any (a test should assert none). */
  readonly deliveryError: Error | undefined;
}

export function createSocketBridge(options: NodeSocketPortOptions = {}): SocketBridge {
  const port = createNodeSocketPort(options);
  const sockets = new Map<number, Socket>();
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  const queue: Event[] = [];
  let worker: XsWorker | undefined;
  let draining = false;
  let closed = false;
  let deliveryError: Error | undefined;

  const drain = async (): Promise<void> => {
    if (draining || worker === undefined) return;
    draining = true;
    try {
      while (queue.length > 0 && !closed) {
        const event = queue.shift()!;
        try {
          await worker.call('bridge.event', event);
        } catch (error) {
          deliveryError ??= error as Error;
        }
      }
    } finally {
      draining = false;
    }
  };
  const emit = (event: Event): void => {
    if (closed) return;
    queue.push(event);
    void drain();
  };

  const handlers: Record<string, (args: unknown) => unknown> = {
    'socket.connect': (args) => {
      const a = args as { id: number; address: string; port: number; tls?: { host: string; ca: string[] } };
      const id = a.id;
      const socket = port.connect({
        address: a.address,
        port: a.port,
        ...(a.tls === undefined ? {} : { tls: { host: a.tls.host, ca: a.tls.ca.map(fromHex) } }),
        onWritable: (n) => emit({ kind: 'writable', id, n }),
        onReadable: () => {
          // Forward everything now: the guest keeps its own receive buffer.
          const bytes = socket.read();
          if (bytes !== undefined) emit({ kind: 'data', id, hex: toHex(bytes) });
        },
        onError: (error) => {
          sockets.delete(id);
          emit({ kind: 'error', id, code: (error as { code?: string }).code ?? 'ERR_SOCKET_CLOSED', message: error.message });
        },
        onClose: () => {
          sockets.delete(id);
          emit({ kind: 'close', id });
        },
      });
      sockets.set(id, socket);
      return null;
    },
    'socket.write': (args) => {
      const a = args as { id: number; hex: string };
      const socket = sockets.get(a.id);
      if (socket === undefined) throw Object.assign(new Error('socket closed'), { code: 'ERR_SOCKET_CLOSED' });
      return socket.write(fromHex(a.hex));
    },
    'socket.close': (args) => {
      const id = (args as { id: number }).id;
      sockets.get(id)?.close();
      sockets.delete(id);
      return null;
    },
    'socket.resolve': (args) => port.resolve((args as { host: string }).host),
    'timer.set': (args) => {
      const a = args as { id: number; ms: number };
      timers.set(a.id, setTimeout(() => {
        timers.delete(a.id);
        emit({ kind: 'timer', id: a.id });
      }, a.ms));
      return null;
    },
    'timer.clear': (args) => {
      const id = (args as { id: number }).id;
      const t = timers.get(id);
      if (t !== undefined) clearTimeout(t);
      timers.delete(id);
      return null;
    },
    'clock.monotonic': () => performance.now(),
    'clock.wall': () => Date.now(),
  };

  return {
    handlers,
    attach(w) {
      worker = w;
      void drain();
    },
    close() {
      closed = true;
      queue.length = 0;
      for (const s of sockets.values()) s.close();
      sockets.clear();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
    get deliveryError() {
      return deliveryError;
    },
  };
}
