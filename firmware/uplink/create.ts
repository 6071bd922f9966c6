/**
 * Wiring of the uplink from ports and credentials, for hosts and the simulator: the outbox over
 * the outbox store, the MQTT link (brokers and credentials from provisioning), the HTTP client
 * and check-in client, and the UTC clock. Every collaborator is checked here, at wiring time
 * (shared/style.md item 7), not at first use.
 */
import { utf8Encode } from '../codec/utf8.js';
import { FirmwareError } from '../errors.js';
import { HttpClient } from '../http/client.js';
import type { ProvisionAnswer } from '../messages/provision.js';
import { createMqttLink, type MqttLinkHandle, type MqttLinkOptions } from '../mqtt/link.js';
import { encodeWill } from '../mqtt/status.js';
import { deviceTopics, type DeviceTopics } from '../mqtt/topics.js';
import { Outbox, type OutboxOptions } from '../outbox/outbox.js';
import type { ClockPort } from '../ports/clock.js';
import type { LogPort } from '../ports/log.js';
import type { OutboxStorePort } from '../ports/outbox-store.js';
import type { RandomPort } from '../ports/random.js';
import type { SocketPort } from '../ports/socket.js';
import type { TimerPort } from '../ports/timer.js';
import { DeviceServerClient, type ServerEndpoint } from '../provisioning/server-client.js';
import { UtcClock } from '../time/utc-clock.js';
import { Uplink } from './uplink.js';

export interface CreateUplinkOptions {
  ports: { socket: SocketPort; timer: TimerPort; clock: ClockPort; random: RandomPort; outboxStore: OutboxStorePort; log?: LogPort };
  deviceId: string;
  firmwareVersion: string;
  /** Used when the credentials carry no topic prefix. */
  topicPrefix: string;
  credentials: ProvisionAnswer;
  /** The OTA server for check-in; without it the uplink only publishes. */
  server?: ServerEndpoint;
  /** Default: 64 KiB budget. */
  outbox?: OutboxOptions;
  mqtt?: Partial<Pick<MqttLinkOptions, 'keepAliveS' | 'window' | 'backoff' | 'reconnect' | 'connectTimeoutMs' | 'cleanSession' | 'pingTimeoutMs'>>;
  http?: { connectTimeoutMs?: number; idleTimeoutMs?: number };
  /** Part of a window kept for the check-in (default 10 s). */
  checkInReserveMs?: number;
}

export interface UplinkParts {
  uplink: Uplink;
  outbox: Outbox;
  link: MqttLinkHandle;
  utc: UtcClock;
  topics: DeviceTopics;
  http: HttpClient;
  server?: DeviceServerClient;
}

export const DEFAULT_OUTBOX_BYTES = 64 * 1024;

export function createUplink(options: CreateUplinkOptions): UplinkParts {
  const { ports, credentials } = options;
  for (const name of ['socket', 'timer', 'clock', 'random', 'outboxStore'] as const) {
    if (ports?.[name] === undefined || ports[name] === null) throw new FirmwareError('ERR_PORT_MISSING', `uplink needs the ${name} port`);
  }
  const topics = deviceTopics(credentials.mqtt.topicPrefix ?? options.topicPrefix, options.deviceId);
  const utc = new UtcClock(ports.clock);
  const outbox = Outbox.open(ports.outboxStore, options.outbox ?? { maxBytes: DEFAULT_OUTBOX_BYTES });
  const link = createMqttLink({
    socket: ports.socket,
    timer: ports.timer,
    clock: ports.clock,
    random: ports.random,
    ...(ports.log === undefined ? {} : { log: ports.log }),
    brokers: credentials.mqtt.brokers.map((b) => ({ host: b.host, port: b.port, ...(b.tls === true ? { tls: {} } : {}) })),
    clientId: options.deviceId,
    topics,
    will: encodeWill(options.firmwareVersion),
    credentials: { username: credentials.mqtt.username, password: utf8Encode(credentials.mqtt.password) },
    ...options.mqtt,
  });
  const http = new HttpClient({ socket: ports.socket, timer: ports.timer, ...options.http });
  const server = options.server === undefined ? undefined : new DeviceServerClient({ http, server: options.server, monotonicMs: () => ports.clock.monotonicMs() });
  const uplink = new Uplink({
    outbox,
    link,
    upTopic: topics.up,
    utc,
    ...(server === undefined ? {} : { checkIn: { client: server, deviceId: options.deviceId, deviceToken: credentials.deviceToken } }),
    ...(ports.log === undefined ? {} : { log: ports.log }),
    ...(options.checkInReserveMs === undefined ? {} : { checkInReserveMs: options.checkInReserveMs }),
  });
  return { uplink, outbox, link, utc, topics, http, ...(server === undefined ? {} : { server }) };
}
