/**
 * Session policy of the device's MQTT link (design section 3 step 7): an ordered list of
 * brokers with failover, a retained birth on every connect and a will for an abrupt loss,
 * QoS 1 publishing in a bounded in-flight window, reconnect with DUP resend inside the awake
 * window, a hard deadline, and exponential backoff with full jitter across wakes.
 *
 * The uplink composes this with the outbox: every record stays in the outbox until publish()
 * resolves (its PUBACK); a rejected publish leaves it there for the next window. The link keeps
 * no queue of its own beyond the in-flight window (shared/style.md complaint 1).
 */
import { Backoff, type BackoffOptions } from '../backoff/backoff.js';
import { FirmwareError, isFirmwareError } from '../errors.js';
import type { Retainable } from '../node/steps.js';
import type { ClockPort } from '../ports/clock.js';
import type { LogPort } from '../ports/log.js';
import type { RandomPort } from '../ports/random.js';
import type { SocketPort } from '../ports/socket.js';
import type { TimerHandle, TimerPort } from '../ports/timer.js';
import { MqttConnection } from './connection.js';
import { InflightTable } from './inflight.js';
import { assertTopicName } from './topic.js';
import type { DeviceTopics } from './topics.js';

export interface MqttLink {
  /** One connect attempt per broker in order until one accepts; publishes the retained birth. Resolves false on failure/deadline. */
  open(context: { deadlineMs: number; status: Uint8Array }): Promise<boolean>;
  /** QoS 1 publish; resolves on PUBACK; rejects (FirmwareError) on link loss or deadline. Several may be outstanding up to the in-flight window. */
  publish(topic: string, payload: Uint8Array, options?: { retain?: boolean }): Promise<void>;
  /** Incoming downlink messages. */
  onMessage?: (topic: string, payload: Uint8Array) => void;
  /** Clean DISCONNECT (no will) and close. */
  close(): Promise<void>;
}

export interface BrokerEndpoint {
  /** Host name or IP literal; names are resolved through SocketPort.resolve. */
  host: string;
  port: number;
  /** TLS with the host name as SNI and optional DER CA certificates. */
  tls?: { ca?: Uint8Array[] };
}

export interface MqttLinkOptions {
  socket: SocketPort;
  timer: TimerPort;
  clock: ClockPort;
  random: RandomPort;
  log?: LogPort;
  /** Tried in order; the one that last worked is tried first on the next wake. */
  brokers: readonly BrokerEndpoint[];
  /** Client identifier: the device id (stable, so that clean session 0 resumes the session). */
  clientId: string;
  topics: DeviceTopics;
  /** Status payload the broker publishes (retained) if the connection dies without DISCONNECT. */
  will: Uint8Array;
  credentials?: { username: string; password?: Uint8Array };
  /** Keep-alive in seconds (default 30; 0 turns it off). */
  keepAliveS?: number;
  /** Default false: the broker keeps the session (and the downlink subscription) across connections. */
  cleanSession?: boolean;
  /** QoS 1 messages outstanding at once (default 8). */
  window?: number;
  /** Socket open to CONNACK, per attempt (default 10 s, never past the deadline). */
  connectTimeoutMs?: number;
  pingTimeoutMs?: number;
  /** Subscribe to topics.down at QoS 1 (default false). */
  subscribeDownlink?: boolean;
  /** Across wakes, between failed windows (default base 5 s, cap 1 h). */
  backoff?: BackoffOptions;
  /** Inside a window, after the link is lost: rounds over the broker list (default base 250 ms, cap 5 s, 4 rounds). */
  reconnect?: BackoffOptions & { rounds?: number };
  /** Largest packet accepted from a broker (default 16 KiB). */
  maxPacketBytes?: number;
}

/** The link plus what the uplink needs around it. */
export interface MqttLinkHandle extends MqttLink, Retainable {
  /** In-flight window size. */
  readonly window: number;
  /** QoS 1 publishes awaiting PUBACK (the birth included). */
  inFlight(): number;
  isConnected(): boolean;
  /** Delay (ms) before the next open() should be tried: the backoff after a failed window, 0 after a success. */
  retryDelayMs(): number;
  /** Index in `brokers` of the broker tried first next time. */
  preferredBroker(): number;
}

type State = 'idle' | 'opening' | 'open' | 'reconnecting' | 'failed' | 'expired';

const SNAPSHOT_VERSION = 1;

/** A promise only ever rejected, raced against a wait to cut it short (deadline, close, loss). */
interface Tripwire {
  promise: Promise<never>;
  reject(error: FirmwareError): void;
}

function tripwire(): Tripwire {
  let reject!: (error: FirmwareError) => void;
  const promise = new Promise<never>((_resolve, r) => {
    reject = r;
  });
  promise.catch(() => undefined); // unobserved when nothing waits on it
  return { promise, reject };
}

export function createMqttLink(options: MqttLinkOptions): MqttLinkHandle {
  return new Link(options);
}

class Link implements MqttLinkHandle {
  onMessage?: (topic: string, payload: Uint8Array) => void;
  readonly window: number;
  readonly #o: MqttLinkOptions;
  readonly #inflight: InflightTable;
  readonly #backoff: Backoff;
  readonly #reconnectBackoff: Backoff;
  readonly #rounds: number;
  #state: State = 'idle';
  #conn: MqttConnection | undefined;
  #current = 0;
  #preferred = 0;
  #retryDelayMs = 0;
  #deadlineMs = 0;
  #deadlineTimer: TimerHandle | undefined;
  #sleepTimer: TimerHandle | undefined;
  /** Rejects with ERR_DEADLINE (or ERR_MQTT_CLOSED on close) to cut every wait of this window short. */
  #abort: Tripwire | undefined;
  #birth: Uint8Array = new Uint8Array(0);
  #birthDone: Promise<void> | undefined;

  constructor(o: MqttLinkOptions) {
    for (const port of ['socket', 'timer', 'clock', 'random'] as const) {
      if (o[port] === undefined || o[port] === null) throw new FirmwareError('ERR_PORT_MISSING', `MQTT link needs the ${port} port`);
    }
    if (!Array.isArray(o.brokers) || o.brokers.length === 0 || o.brokers.length > 255) throw new FirmwareError('ERR_CONFIG_INVALID', 'MQTT link needs 1-255 brokers');
    for (const b of o.brokers) {
      if (typeof b.host !== 'string' || b.host.length === 0 || !Number.isInteger(b.port) || b.port < 1 || b.port > 65535) {
        throw new FirmwareError('ERR_CONFIG_INVALID', `broker ${JSON.stringify(b)}`);
      }
    }
    this.#o = o;
    this.#inflight = new InflightTable(o.window ?? 8);
    this.window = this.#inflight.window;
    this.#backoff = new Backoff(o.backoff ?? { baseMs: 5000, capMs: 3_600_000 }, o.random);
    this.#reconnectBackoff = new Backoff(o.reconnect ?? { baseMs: 250, capMs: 5000 }, o.random);
    this.#rounds = o.reconnect?.rounds ?? 4;
  }

  inFlight(): number {
    return this.#inflight.size;
  }

  isConnected(): boolean {
    return this.#state === 'open';
  }

  retryDelayMs(): number {
    return this.#retryDelayMs;
  }

  preferredBroker(): number {
    return this.#preferred;
  }

  async open(context: { deadlineMs: number; status: Uint8Array }): Promise<boolean> {
    if (this.#state === 'open') return true;
    if (this.#state === 'opening' || this.#state === 'reconnecting') throw new FirmwareError('ERR_ARGUMENT', 'open() while the link is opening');
    this.#state = 'opening';
    this.#birth = context.status;
    this.#deadlineMs = context.deadlineMs;
    this.#abort = tripwire();
    const left = this.#deadlineMs - this.#o.clock.monotonicMs();
    if (left <= 0) {
      this.#state = 'expired';
      return this.#openFailed();
    }
    this.#deadlineTimer = this.#o.timer.set(() => this.#expire(), left);
    const ok = await this.#connectRound(this.#preferred);
    if (!ok || this.#state !== 'opening') return this.#openFailed();
    this.#state = 'open';
    this.#backoff.reset();
    this.#retryDelayMs = 0;
    return true;
  }

  async publish(topic: string, payload: Uint8Array, options: { retain?: boolean } = {}): Promise<void> {
    const state = this.#state;
    if (state === 'expired') throw new FirmwareError('ERR_DEADLINE', 'awake deadline passed');
    if (state !== 'open' && state !== 'reconnecting') throw new FirmwareError('ERR_MQTT_CLOSED', `link is ${state}`);
    assertTopicName(topic);
    if (!(payload instanceof Uint8Array)) throw new FirmwareError('ERR_MQTT_PROTOCOL', 'payload must be a Uint8Array');
    const { message, done } = this.#inflight.add(topic, payload, options.retain === true);
    // Without a connection the message waits in the window and goes out with the resend; a
    // connection that is up (even while its birth is pending) takes it now.
    const conn = this.#conn;
    if (conn !== undefined && conn.connected) conn.sendPublish(message);
    return done;
  }

  async close(): Promise<void> {
    if (this.#state === 'idle') return;
    const conn = this.#endWindow(new FirmwareError('ERR_MQTT_CLOSED', 'link closed'), 'idle');
    if (conn !== undefined) await conn.close();
  }

  snapshot(): Uint8Array {
    const b = this.#backoff.snapshot();
    const out = new Uint8Array(2 + b.length);
    out[0] = SNAPSHOT_VERSION;
    out[1] = this.#preferred;
    out.set(b, 2);
    return out;
  }

  restore(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 4 || bytes[0] !== SNAPSHOT_VERSION) throw new FirmwareError('ERR_STATE_CORRUPT', 'MQTT link snapshot');
    this.#backoff.restore(bytes.subarray(2));
    // The broker list may have changed with a config update: start again from the first.
    this.#preferred = bytes[1]! < this.#o.brokers.length ? bytes[1]! : 0;
  }

  // --- internals ---

  #openFailed(): false {
    const wasExpired = this.#state === 'expired';
    this.#stopWindow(new FirmwareError('ERR_DEADLINE', 'awake deadline passed'));
    this.#state = wasExpired ? 'expired' : 'failed';
    this.#retryDelayMs = this.#backoff.next();
    this.#log('warn', 'mqtt.open_failed', { retryDelayMs: this.#retryDelayMs, attempt: this.#backoff.attempt });
    return false;
  }

  /** One attempt per broker, starting at `start`; true once one accepted and the birth was acknowledged. */
  async #connectRound(start: number): Promise<boolean> {
    const n = this.#o.brokers.length;
    for (let i = 0; i < n; i++) {
      if (!this.#trying()) return false;
      const index = (start + i) % n;
      try {
        await this.#connectTo(index);
        return true;
      } catch (error) {
        const code = isFirmwareError(error) ? error.code : 'ERR_MQTT_PROTOCOL';
        this.#log('warn', 'mqtt.connect_failed', { broker: index, code, message: (error as Error).message });
      }
    }
    return false;
  }

  async #connectTo(index: number): Promise<void> {
    const o = this.#o;
    const broker = o.brokers[index]!;
    const abort = this.#abort!.promise;
    const address = await Promise.race([o.socket.resolve(broker.host), abort]);
    const left = this.#deadlineMs - o.clock.monotonicMs();
    const lost = tripwire();
    let opening = true;
    const conn = new MqttConnection({
      socket: o.socket,
      timer: o.timer,
      clock: o.clock,
      address,
      port: broker.port,
      ...(broker.tls === undefined ? {} : { tls: { host: broker.host, ...(broker.tls.ca === undefined ? {} : { ca: broker.tls.ca }) } }),
      connect: {
        clientId: o.clientId,
        cleanSession: o.cleanSession === true,
        keepAliveS: o.keepAliveS ?? 30,
        // The will is retained so that a late subscriber sees the loss too.
        will: { topic: o.topics.status, payload: o.will, qos: 1, retain: true },
        ...(o.credentials === undefined ? {} : { username: o.credentials.username }),
        ...(o.credentials?.password === undefined ? {} : { password: o.credentials.password }),
      },
      inflight: this.#inflight,
      connectTimeoutMs: Math.max(1, Math.min(o.connectTimeoutMs ?? 10_000, left)),
      ...(o.pingTimeoutMs === undefined ? {} : { pingTimeoutMs: o.pingTimeoutMs }),
      ...(o.maxPacketBytes === undefined ? {} : { maxPacketBytes: o.maxPacketBytes }),
      onMessage: (topic, payload) => this.onMessage?.(topic, payload),
      onLost: (error) => (opening ? lost.reject(error) : this.#onLost(conn, error)),
    });
    try {
      const sessionPresent = await Promise.race([conn.open(), abort]);
      this.#conn = conn;
      this.#current = index;
      this.#preferred = index;
      // [MQTT-4.4.0-1] after a reconnect, resend every unacknowledged QoS 1 PUBLISH with its
      // original packet id, in the original order [MQTT-4.6.0-1]; DUP marks the resends [MQTT-3.3.1-1].
      for (const message of this.#inflight.messages()) conn.sendPublish(message);
      if (o.subscribeDownlink === true && (!sessionPresent || o.cleanSession === true)) {
        const codes = await Promise.race([conn.subscribe([{ filter: o.topics.down, qos: 1 }]), lost.promise, abort]);
        if (codes[0] === 0x80) throw new FirmwareError('ERR_MQTT_SUBSCRIBE_REFUSED', o.topics.down);
      }
      await Promise.race([this.#publishBirth(conn), lost.promise, abort]);
      opening = false;
      this.#log('info', 'mqtt.connected', { broker: index, sessionPresent });
    } catch (error) {
      if (this.#conn === conn) this.#conn = undefined;
      conn.abort(isFirmwareError(error) ? error : undefined);
      throw error;
    }
  }

  /** The retained birth, one at a time: a birth still in flight from a lost connection is resent, not doubled. */
  #publishBirth(conn: MqttConnection): Promise<void> {
    if (this.#birthDone === undefined) {
      const { message, done } = this.#inflight.add(this.#o.topics.status, this.#birth, true, true);
      const settled = (): void => {
        if (this.#birthDone === tracked) this.#birthDone = undefined;
      };
      const tracked = done.then(settled, (error: unknown) => {
        settled();
        throw error;
      });
      tracked.catch(() => undefined);
      this.#birthDone = tracked;
      conn.sendPublish(message);
    }
    return this.#birthDone;
  }

  #onLost(conn: MqttConnection, error: FirmwareError): void {
    if (conn !== this.#conn || this.#state !== 'open') return;
    this.#conn = undefined;
    this.#state = 'reconnecting';
    this.#log('warn', 'mqtt.lost', { broker: this.#current, code: error.code, message: error.message });
    void this.#reconnect(error);
  }

  async #reconnect(cause: FirmwareError): Promise<void> {
    // A transport loss (broker restart, Wi-Fi blip) retries the same broker first; a broker that
    // broke the protocol or refused us is passed over.
    const skip = cause.code === 'ERR_MQTT_PROTOCOL' || cause.code === 'ERR_MQTT_CONNACK_REFUSED';
    const start = (this.#current + (skip ? 1 : 0)) % this.#o.brokers.length;
    this.#reconnectBackoff.reset();
    for (let round = 0; round < this.#rounds; round++) {
      try {
        await this.#sleep(this.#reconnectBackoff.next());
      } catch {
        return; // deadline or close: they have settled everything
      }
      if (this.#state !== 'reconnecting') return;
      if (await this.#connectRound(start)) {
        if (this.#state === 'reconnecting') this.#state = 'open';
        return;
      }
    }
    if (this.#state !== 'reconnecting') return;
    this.#endWindow(new FirmwareError(cause.code, `link lost and not re-established: ${cause.message}`), 'failed');
    this.#retryDelayMs = this.#backoff.next();
  }

  #sleep(ms: number): Promise<void> {
    return Promise.race([
      new Promise<void>((resolve) => {
        this.#sleepTimer = this.#o.timer.set(() => {
          this.#sleepTimer = undefined;
          resolve();
        }, ms);
      }),
      this.#abort!.promise,
    ]);
  }

  #trying(): boolean {
    return this.#state === 'opening' || this.#state === 'reconnecting';
  }

  /** The hard awake deadline: stop trying, fail what is outstanding, leave cleanly (no will). */
  #expire(): void {
    this.#deadlineTimer = undefined;
    if (this.#state === 'idle' || this.#state === 'failed' || this.#state === 'expired') return;
    this.#log('warn', 'mqtt.deadline', { inFlight: this.#inflight.size });
    const wasOpen = this.#state === 'open' || this.#state === 'reconnecting';
    const conn = this.#endWindow(new FirmwareError('ERR_DEADLINE', 'awake deadline passed'), 'expired');
    if (conn !== undefined) void conn.close();
    if (wasOpen) this.#retryDelayMs = 0;
  }

  /** Ends the window in state `next`: every wait and every in-flight publish fails with `error`; returns the connection to close. */
  #endWindow(error: FirmwareError, next: State): MqttConnection | undefined {
    this.#stopWindow(error);
    this.#state = next;
    this.#inflight.rejectAll(error);
    const conn = this.#conn;
    this.#conn = undefined;
    return conn;
  }

  #stopWindow(error: FirmwareError): void {
    const timer = this.#o.timer;
    if (this.#deadlineTimer !== undefined) timer.clear(this.#deadlineTimer);
    if (this.#sleepTimer !== undefined) timer.clear(this.#sleepTimer);
    this.#deadlineTimer = this.#sleepTimer = undefined;
    this.#abort?.reject(error);
  }

  #log(level: 'info' | 'warn', code: string, fields: Record<string, unknown>): void {
    this.#o.log?.log(level, code, fields);
  }
}
