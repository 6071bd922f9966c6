/**
 * One MQTT 3.1.1 connection over one socket: CONNECT and CONNACK with a timeout, framing,
 * dispatch to the packet handlers, a write queue that respects the socket's writable count,
 * keep-alive (PINGREQ) and dead-link detection, SUBSCRIBE/UNSUBSCRIBE, clean DISCONNECT.
 *
 * It implements the narrow Session the handlers see. What outlives the connection (the QoS 1
 * in-flight table and the packet ids) belongs to the caller (link.ts) and is passed in.
 */
import { FirmwareError, isFirmwareError } from '../errors.js';
import type { ClockPort } from '../ports/clock.js';
import type { Socket, SocketPort } from '../ports/socket.js';
import type { TimerHandle, TimerPort } from '../ports/timer.js';
import { dispatch } from './dispatch.js';
import { FrameReader } from './frame.js';
import type { InflightMessage, InflightTable } from './inflight.js';
import { encodeConnect } from './packets/connect.js';
import { encodeDisconnect } from './packets/disconnect.js';
import { encodePingreq } from './packets/pingreq.js';
import { encodePublish } from './packets/publish.js';
import { encodeSubscribe } from './packets/subscribe.js';
import type { ConnectPacket, QoS } from './packets/types.js';
import { encodeUnsubscribe } from './packets/unsubscribe.js';
import type { Session } from './session.js';

export interface ConnectionOptions {
  socket: SocketPort;
  timer: TimerPort;
  clock: ClockPort;
  /** IP address (already resolved) and port of the broker. */
  address: string;
  port: number;
  tls?: { host: string; ca?: Uint8Array[] };
  connect: Omit<ConnectPacket, 'type'>;
  inflight: InflightTable;
  /** From socket open to CONNACK. */
  connectTimeoutMs: number;
  /** How long a PINGREQ may wait for its PINGRESP before the link counts as dead. */
  pingTimeoutMs?: number;
  /** Largest packet accepted from the broker (bytes, header included). */
  maxPacketBytes?: number;
  /** An incoming message; throwing refuses it (no PUBACK, so the broker sends it again later). */
  onMessage?(topic: string, payload: Uint8Array, flags: { retain: boolean; dup: boolean }): void;
  /** The connection ended after CONNACK (error says why); not called after close(). */
  onLost?(error: FirmwareError): void;
}

type State = 'connecting' | 'connected' | 'closed';

interface Request {
  kind: 'subscribe' | 'unsubscribe';
  resolve(codes: readonly number[]): void;
  reject(error: Error): void;
}

export class MqttConnection implements Session {
  readonly #o: ConnectionOptions;
  readonly #reader: FrameReader;
  readonly #requests = new Map<number, Request>();
  readonly #queue: Uint8Array[] = [];
  #socket: Socket | undefined;
  #state: State = 'connecting';
  #writable = 0;
  #lastSentMs = 0;
  #lastReceivedMs = 0;
  #connectTimer: TimerHandle | undefined;
  #keepAliveTimer: TimerHandle | undefined;
  #pingTimer: TimerHandle | undefined;
  #opened: { resolve(sessionPresent: boolean): void; reject(error: Error): void } | undefined;
  #drained: (() => void) | undefined;

  constructor(options: ConnectionOptions) {
    this.#o = options;
    this.#reader = new FrameReader(options.maxPacketBytes ?? 16384);
  }

  get connected(): boolean {
    return this.#state === 'connected';
  }

  /** Opens the socket, sends CONNECT, resolves with CONNACK's session-present flag. */
  open(): Promise<boolean> {
    const o = this.#o;
    const done = new Promise<boolean>((resolve, reject) => {
      this.#opened = { resolve, reject };
    });
    // Encode first: a bad CONNECT (invalid will topic...) fails before any byte is sent.
    let connect: Uint8Array;
    try {
      connect = encodeConnect({ type: 'connect', ...o.connect });
    } catch (error) {
      this.#end(asFirmwareError(error), false);
      return done;
    }
    this.#connectTimer = o.timer.set(() => this.#end(new FirmwareError('ERR_MQTT_TIMEOUT', 'no CONNACK in time'), false), o.connectTimeoutMs);
    const socketOptions = {
      address: o.address,
      port: o.port,
      onReadable: () => this.#onReadable(),
      onWritable: (n: number) => this.#onWritable(n),
      onError: (error: Error) => this.#end(asFirmwareError(error), false),
      onClose: () => this.#end(new FirmwareError('ERR_SOCKET_CLOSED', 'broker closed the connection'), false),
    };
    try {
      this.#socket = o.socket.connect(o.tls === undefined ? socketOptions : { ...socketOptions, tls: o.tls });
    } catch (error) {
      this.#end(asFirmwareError(error), false);
      return done;
    }
    this.#enqueue(connect);
    return done;
  }

  /** Writes a QoS 1 message of the in-flight table; DUP when it was sent before [MQTT-3.3.1-1]. */
  sendPublish(message: InflightMessage): void {
    if (this.#state !== 'connected') return;
    this.send(encodePublish({
      type: 'publish', topic: message.topic, payload: message.payload, qos: 1,
      retain: message.retain, dup: message.sent, packetId: message.packetId,
    }));
    message.sent = true;
  }

  /** QoS 0: fire and forget (nothing is kept). */
  publishQos0(topic: string, payload: Uint8Array, retain = false): void {
    const bytes = encodePublish({ type: 'publish', topic, payload, qos: 0, retain, dup: false });
    if (this.#state !== 'connected') throw new FirmwareError('ERR_MQTT_CLOSED', 'not connected');
    this.send(bytes);
  }

  /** Resolves with SUBACK's return codes, in the order of the filters [MQTT-3.9.3-1]. */
  subscribe(subscriptions: ReadonlyArray<{ filter: string; qos: QoS }>): Promise<readonly number[]> {
    return this.#request('subscribe', (packetId) => encodeSubscribe({ type: 'subscribe', packetId, subscriptions }));
  }

  unsubscribe(filters: readonly string[]): Promise<void> {
    return this.#request('unsubscribe', (packetId) => encodeUnsubscribe({ type: 'unsubscribe', packetId, filters })).then(() => undefined);
  }

  /**
   * Clean end: DISCONNECT (the broker discards the will [MQTT-3.1.2-10]), wait a bounded time
   * for the queue to drain, then close the socket [MQTT-3.14.4-1].
   */
  async close(drainMs = 1000): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state === 'connected') {
      this.send(encodeDisconnect());
      if (this.#queue.length > 0) {
        await new Promise<void>((resolve) => {
          const timer = this.#o.timer.set(resolve, drainMs);
          this.#drained = () => {
            this.#o.timer.clear(timer);
            resolve();
          };
        });
      }
    }
    this.#end(new FirmwareError('ERR_MQTT_CLOSED', 'closed by the client'), true);
  }

  /** Drops the connection without DISCONNECT (the broker then publishes the will). */
  abort(error: FirmwareError = new FirmwareError('ERR_MQTT_CLOSED', 'aborted')): void {
    this.#end(error, true);
  }

  // --- Session (for the packet handlers) ---

  acknowledge(packetId: number): boolean {
    return this.#o.inflight.acknowledge(packetId);
  }

  settleRequest(packetId: number, kind: 'subscribe' | 'unsubscribe', returnCodes: readonly number[] = []): boolean {
    const request = this.#requests.get(packetId);
    if (request === undefined || request.kind !== kind) return false;
    this.#requests.delete(packetId);
    this.#o.inflight.ids.release(packetId);
    request.resolve(returnCodes);
    return true;
  }

  pingAnswered(): void {
    if (this.#pingTimer !== undefined) this.#o.timer.clear(this.#pingTimer);
    this.#pingTimer = undefined;
  }

  accepted(sessionPresent: boolean): void {
    this.#state = 'connected';
    if (this.#connectTimer !== undefined) this.#o.timer.clear(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#armKeepAlive(this.#keepAliveMs());
    const opened = this.#opened;
    this.#opened = undefined;
    opened?.resolve(sessionPresent);
  }

  deliver(topic: string, payload: Uint8Array, flags: { retain: boolean; dup: boolean }): boolean {
    try {
      this.#o.onMessage?.(topic, payload, flags);
      return true;
    } catch {
      return false;
    }
  }

  send(bytes: Uint8Array): void {
    if (this.#state === 'closed') return;
    this.#enqueue(bytes);
  }

  fail(error: FirmwareError): void {
    this.#end(error, false);
  }

  // --- internals ---

  #request(kind: 'subscribe' | 'unsubscribe', encode: (packetId: number) => Uint8Array): Promise<readonly number[]> {
    if (this.#state !== 'connected') return Promise.reject(new FirmwareError('ERR_MQTT_CLOSED', 'not connected'));
    const ids = this.#o.inflight.ids;
    const packetId = ids.allocate();
    let bytes: Uint8Array;
    try {
      bytes = encode(packetId);
    } catch (error) {
      ids.release(packetId);
      return Promise.reject(error);
    }
    const done = new Promise<readonly number[]>((resolve, reject) => this.#requests.set(packetId, { kind, resolve, reject }));
    this.send(bytes);
    return done;
  }

  #keepAliveMs(): number {
    return this.#o.connect.keepAliveS * 1000;
  }

  #armKeepAlive(ms: number): void {
    if (this.#keepAliveMs() === 0 || this.#state !== 'connected') return;
    this.#keepAliveTimer = this.#o.timer.set(() => this.#onKeepAlive(), ms);
  }

  #onKeepAlive(): void {
    this.#keepAliveTimer = undefined;
    if (this.#state !== 'connected') return;
    const period = this.#keepAliveMs();
    const now = this.#o.clock.monotonicMs();
    const quietOut = now - this.#lastSentMs;
    const quietIn = now - this.#lastReceivedMs;
    // [MQTT-3.1.2-23] send some packet at least once per keep-alive period: PINGREQ when idle.
    // Also ping when nothing has come in for a period (e.g. PUBACKs stopped): that is how a
    // dead link is found while the client keeps sending.
    if ((quietOut >= period || quietIn >= period) && this.#pingTimer === undefined) {
      this.send(encodePingreq());
      const timeout = this.#o.pingTimeoutMs ?? Math.min(period, 15000);
      this.#pingTimer = this.#o.timer.set(() => this.#end(new FirmwareError('ERR_MQTT_TIMEOUT', 'no PINGRESP in time: link dead'), false), timeout);
      this.#armKeepAlive(period);
    } else {
      this.#armKeepAlive(Math.max(1, period - Math.min(quietOut, quietIn)));
    }
  }

  #enqueue(bytes: Uint8Array): void {
    this.#queue.push(bytes);
    this.#lastSentMs = this.#o.clock.monotonicMs();
    this.#flush();
  }

  #flush(): void {
    const socket = this.#socket;
    if (socket === undefined || this.#state === 'closed') return;
    try {
      while (this.#queue.length > 0 && this.#writable > 0) {
        const head = this.#queue[0]!;
        const n = Math.min(head.length, this.#writable);
        this.#writable = socket.write(n === head.length ? head : head.subarray(0, n));
        if (n === head.length) this.#queue.shift();
        else this.#queue[0] = head.subarray(n);
      }
    } catch (error) {
      this.#end(asFirmwareError(error), false);
      return;
    }
    if (this.#queue.length === 0 && this.#drained !== undefined) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
  }

  #onWritable(n: number): void {
    this.#writable = n;
    this.#flush();
  }

  #onReadable(): void {
    const socket = this.#socket;
    if (socket === undefined || this.#state === 'closed') return;
    for (let chunk = socket.read(); chunk !== undefined; chunk = socket.read()) this.#reader.push(chunk);
    this.#lastReceivedMs = this.#o.clock.monotonicMs();
    // dispatch() may end the connection: re-read the state on each turn.
    while (!this.#closed()) {
      let frame;
      try {
        frame = this.#reader.next();
      } catch (error) {
        this.#end(asFirmwareError(error), false);
        return;
      }
      if (frame === undefined) return;
      dispatch(this, frame);
    }
  }

  #closed(): boolean {
    return this.#state === 'closed';
  }

  #end(error: FirmwareError, byClient: boolean): void {
    if (this.#state === 'closed') return;
    const wasConnected = this.#state === 'connected';
    this.#state = 'closed';
    const timer = this.#o.timer;
    for (const t of [this.#connectTimer, this.#keepAliveTimer, this.#pingTimer]) if (t !== undefined) timer.clear(t);
    this.#connectTimer = this.#keepAliveTimer = this.#pingTimer = undefined;
    this.#queue.length = 0;
    this.#socket?.close();
    const requests = Array.from(this.#requests.entries());
    this.#requests.clear();
    for (const [id, r] of requests) {
      this.#o.inflight.ids.release(id);
      r.reject(error);
    }
    const opened = this.#opened;
    this.#opened = undefined;
    opened?.reject(error);
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.();
    if (wasConnected && !byClient) this.#o.onLost?.(error);
  }
}

function asFirmwareError(error: unknown): FirmwareError {
  if (isFirmwareError(error)) return error;
  return new FirmwareError('ERR_MQTT_PROTOCOL', error instanceof Error ? error.message : String(error));
}
