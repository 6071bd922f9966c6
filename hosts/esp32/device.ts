/**
 * One boot of the ESP32 sensor node: build every port from Moddable's modules (the bundle of
 * hosts/esp32/moddable.ts, or fakes in tests), wire the core (createNode), run the wake cycle
 * (runWakeCycles), which ends in deep sleep. Whatever goes wrong, the node goes back to sleep:
 * a node that stays awake empties its battery, one that restarts in a loop does too.
 *
 * The one exception: a new image pending verification. ESP-IDF's bootloader gives it exactly one
 * boot, and a deep-sleep wake is a reset that rolls it back, so while the update step is pending
 * the cycle returns `stayAwake` and this boot waits `next.sleepMs` (at most 10 s) on a timer and
 * runs the next cycle on the same node, until the updater commits or rolls back (it restarts the
 * chip on its health timeout). Each of those cycles gets its own awake guard.
 *
 * Order of a boot:
 *   1. config, log, clock, timer and the awake guard (a hard cap on this wake);
 *   2. retained record, kv (NVS), flash (outbox partition, OTA slots), power;
 *   3. Wi-Fi (joined only when a window opens), sockets, sensors;
 *   4. provisioning on first boot (claim secret -> credentials), then the uplink;
 *   5. createNode, runWakeCycles -> deep sleep (after cycles that stayed awake while pending).
 */
import {
  createHttpFirmwareSource, createNode, createUplink, DEFAULT_NODE_CONFIG, DeviceServerClient, encode,
  ensureProvisioned, FirmwareError, HttpClient, isFirmwareError, KV_CONFIG, loadCredentials, runWakeCycles, Updater,
  utf8Decode, validateNodeConfig,
  type KvPort, type LogPort, type OutboxStorePort, type PowerPort, type SensorPort, type ServerEndpoint, type TimerPort,
  type UpdateStep, type UplinkStep,
} from '../esp32-core.js';
import { createEsp32Clock } from './clock.js';
import { createEsp32Crypto } from './crypto.js';
import { readHostConfig, type HostConfig } from './config.js';
import { createEsp32FirmwareSlots } from './firmware-slots.js';
import { createEsp32Flash } from './flash.js';
import { createEsp32Kv } from './kv.js';
import { createTraceLog } from './log.js';
import type { Moddable } from './moddable-types.js';
import { createFlashOutboxStore } from './outbox-store.js';
import { createEsp32Power } from './power.js';
import { withRadio } from './radio-window.js';
import { createEsp32Random } from './random.js';
import { createProvisionBackoff } from './provision-backoff.js';
import { createEsp32Retained, hostSlots } from './retained.js';
import { createDriverSensor } from './sensors.js';
import { createEsp32SocketPort } from './socket.js';
import { createEsp32Timer } from './timer.js';
import { createEsp32Wifi } from './wifi.js';

/** Sleep after a wake that failed before the planner could say: short enough to retry soon. */
export const FALLBACK_SLEEP_MS = 5 * 60_000;
/** kv key of the device identity written at the factory (UTF-8). */
export const KV_DEVICE_ID = 'device.id';

/** An outbox that lives only until the next sleep: used when the outbox partition is missing. */
function volatileOutbox(): OutboxStorePort {
  let records: Uint8Array[] = [];
  const size = (): number => records.reduce((n, r) => n + r.length + 8, 0);
  return {
    maxRecordBytes: 4096,
    append(record) {
      if (record.length === 0 || record.length > 4096) throw new FirmwareError('ERR_OUTBOX_RECORD', `${record.length} bytes`);
      records.push(record.slice());
    },
    readAll: () => records.map((r) => r.slice()),
    rewrite(list) {
      records = list.map((r) => r.slice());
    },
    size,
  };
}

function deviceIdOf(kv: KvPort, host: HostConfig, nodeConfig: unknown, log: LogPort): string | undefined {
  try {
    const stored = kv.get(KV_DEVICE_ID);
    if (stored !== undefined) return utf8Decode(stored);
  } catch (error) {
    log.log('warn', 'DEVICE_ID_UNREADABLE', { error: (error as Error).message });
  }
  if (host.deviceId !== undefined) return host.deviceId;
  const fromConfig = (nodeConfig as { deviceId?: unknown } | undefined)?.deviceId;
  return typeof fromConfig === 'string' ? fromConfig : undefined;
}

function serverOf(raw: Readonly<Record<string, unknown>>): ServerEndpoint | undefined {
  const host = raw['server_host'];
  if (typeof host !== 'string' || host === '') return undefined;
  const port = Number(raw['server_port'] ?? 443);
  const tls = raw['server_tls'] !== false && raw['server_tls'] !== 'false' && raw['server_tls'] !== 0;
  return { host, port, ...(tls ? { tls: {} } : {}) };
}

export interface DeviceRun {
  power: PowerPort;
  log: LogPort;
  timer: TimerPort;
}

/**
 * Runs one boot: one wake cycle, or several while a new image is pending verification; resolves
 * only off the device (on it, deep sleep and restart do not return).
 */
export async function runDevice(m: Moddable): Promise<void> {
  let log: LogPort = createTraceLog(m.trace, 'info');
  let host: HostConfig;
  try {
    host = readHostConfig(m.config, m.defaultI2c);
  } catch (error) {
    log.log('error', 'HOST_CONFIG_INVALID', { error: (error as Error).message });
    host = readHostConfig({});
  }
  log = createTraceLog(m.trace, host.logLevel);
  const timer = createEsp32Timer(m.timer);
  const clock = createEsp32Clock(m.time, m.now);
  const random = createEsp32Random(m.native);
  const retained = createEsp32Retained(m.native);
  const slots = hostSlots(retained.host, 2);
  const wifiCache = slots[0]!;
  const provisionSlot = slots[1]!;
  const readPin = (pin: number): number => {
    const input = new m.digital({ pin, mode: m.digital.Input });
    try {
      return input.read();
    } finally {
      input.close();
    }
  };
  const power = createEsp32Power({
    native: m.native, analog: m.analog, battery: host.battery, restart: m.restart, log, readPin,
    ...(host.wakePin === undefined ? {} : { wakePins: [host.wakePin] }),
  });

  // Whatever happens below, this wake ends: a hang in a driver or the network must not keep
  // the radio and CPU on until the battery is flat (the task watchdog covers a stuck loop).
  // A pending image's cycles each get the whole guard; the updater's health timeout bounds them.
  const armGuard = () => timer.set(() => {
    log.log('error', 'AWAKE_DEADLINE', { awakeMs: host.awakeMs });
    power.deepSleep(FALLBACK_SLEEP_MS);
  }, host.awakeMs);
  let guard = armGuard();
  const idle = async (ms: number): Promise<void> => {
    // No deep sleep here: the heap and the pending image's one boot must survive the wait.
    timer.clear(guard);
    log.log('debug', 'STAY_AWAKE', { ms });
    await new Promise<void>((resolve) => { timer.set(resolve, ms); });
    guard = armGuard();
  };

  try {
    const resetReason = power.resetReason();
    const kv = createEsp32Kv(m.keyValue);
    const runningSlot = (): number => m.native().sn_ota_running_slot();
    const flash = createEsp32Flash(m.flash, { runningSlot });
    const slots = createEsp32FirmwareSlots(m.native, flash);

    let outboxStore: OutboxStorePort;
    try {
      // A reset that may have cut a flash write short: the store moves to its other bank first.
      const mayBeTorn = resetReason !== 'deep-sleep' && resetReason !== 'software';
      outboxStore = createFlashOutboxStore(flash.area('outbox'), { mayBeTorn });
    } catch (error) {
      log.log('error', 'OUTBOX_PARTITION_MISSING', { error: (error as Error).message });
      outboxStore = volatileOutbox();
    }

    const setTimer = (callback: () => void, ms: number): (() => void) => {
      const handle = timer.set(callback, ms);
      return () => timer.clear(handle);
    };
    const wifi = createEsp32Wifi({
      WiFi: m.wifi, native: m.native, config: host.wifi, cache: wifiCache, setTimer, now: () => clock.monotonicMs(), log,
    });
    const socket = createEsp32SocketPort({ tcp: m.tcp, tls: m.tls, resolve: m.resolve, network: { up: () => wifi.up() }, setTimer });

    const i2c = host.i2c;
    const sensors: SensorPort[] = host.sensors.map((s) => (i2c === undefined
      ? Object.freeze({ id: s.id, sample: () => { throw new FirmwareError('ERR_SENSOR', `${s.id}: no I2C pins (i2c_data, i2c_clock)`); } })
      : createDriverSensor(s, { drivers: m.drivers, io: m.smbus, bus: i2c, delay: (ms) => m.timer.delay(ms) })));

    const nodeConfig = host.node ?? DEFAULT_NODE_CONFIG;
    const deviceId = deviceIdOf(kv, host, nodeConfig, log) ?? DEFAULT_NODE_CONFIG.deviceId;
    const server = serverOf(m.config);

    // First boot: exchange the claim secret for credentials (once in the device's life).
    let credentials = loadCredentials(kv, log);
    const backoff = createProvisionBackoff(provisionSlot);
    if (credentials === undefined && server !== undefined && !backoff.due()) log.log('info', 'PROVISIONING_DEFERRED');
    else if (credentials === undefined && server !== undefined) {
      try {
        await wifi.up();
        const http = new HttpClient({ socket, timer });
        const client = new DeviceServerClient({ http, server, monotonicMs: () => clock.monotonicMs() });
        const { credentials: answer } = await ensureProvisioned({
          kv, client, deviceId, log, ...(host.claimSecret === undefined ? {} : { claimSecret: host.claimSecret }),
        });
        credentials = answer;
        backoff.succeeded();
        if (answer.config !== undefined) {
          // The server's first config, kept where createNode looks for remote config.
          kv.set(KV_CONFIG, encode(validateNodeConfig({ ...(answer.config as object), deviceId })));
        }
      } catch (error) {
        backoff.failed();
        log.log('warn', 'PROVISIONING_FAILED', { code: isFirmwareError(error) ? error.code : undefined, error: (error as Error).message });
      }
    }

    let uplink: UplinkStep | undefined;
    if (credentials !== undefined) {
      const parts = createUplink({
        ports: { socket, timer, clock, random, outboxStore, log },
        deviceId,
        firmwareVersion: host.firmwareVersion,
        topicPrefix: (nodeConfig as { topicPrefix?: string }).topicPrefix ?? DEFAULT_NODE_CONFIG.topicPrefix,
        credentials,
        ...(server === undefined ? {} : { server }),
      });
      uplink = withRadio(parts.uplink, wifi, log);
    } else {
      log.log('info', 'NOT_PROVISIONED', { deviceId, server: server?.host ?? null });
    }

    // A/B update: needs the server (downloads with the device token) and keys to trust.
    let update: UpdateStep | undefined;
    if (credentials !== undefined && server !== undefined && host.otaKeys.length > 0) {
      const source = createHttpFirmwareSource({
        client: new HttpClient({ socket, timer }),
        host: server.host,
        ...(server.port === undefined ? {} : { port: server.port }),
        ...(server.tls === undefined ? {} : { tls: server.tls }),
        headers: { Authorization: `Bearer ${credentials.deviceToken}` },
      });
      update = new Updater({
        slots, kv, crypto: createEsp32Crypto(m.digest), source, power, clock, log,
        identity: { board: host.board, version: host.firmwareVersion, securityVersion: host.securityVersion },
        trustedKeys: host.otaKeys,
      });
    } else if (credentials !== undefined) {
      log.log('info', 'OTA_OFF', { server: server !== undefined, keys: host.otaKeys.length });
    }

    const node = createNode({
      clock, retained: retained.port, kv, sensors, power, log, random, timer,
      config: { ...(nodeConfig as object), deviceId },
      firmware: () => ({ version: host.firmwareVersion, slot: slots.running(), bootState: slots.runningState() }),
      ...(uplink === undefined ? {} : { uplink }),
      ...(update === undefined ? {} : { update }),
    });
    await runWakeCycles(node, { idle });
  } catch (error) {
    log.log('error', 'WAKE_FAILED', { code: isFirmwareError(error) ? error.code : undefined, error: (error as Error).message });
    power.deepSleep(FALLBACK_SLEEP_MS);
  }
}
