/**
 * The host's settings from mc/config (the manifest's "config", overridden by mcconfig's
 * key=value arguments, which arrive as strings). Flat keys so that every one can be given on
 * the command line: `npm run build:esp32 -- --board esp32/esp32s3 --config wifi_ssid=home`.
 *
 * Never `ssid`: Moddable's setup/network would then block the boot until Wi-Fi connects.
 */
import { FirmwareError, type LogLevel } from '../esp32-core.js';
import { DEFAULT_BATTERY, type BatteryConfig } from './power.js';
import type { I2cBus, SensorConfig, SensorKind } from './sensors.js';
import type { StaticIp, WifiConfig } from './wifi.js';

export interface HostConfig {
  firmwareVersion: string;
  wifi: WifiConfig;
  i2c: I2cBus | undefined;
  sensors: SensorConfig[];
  battery: BatteryConfig;
  /** Optional wake pin (a button, a reed switch): deep sleep also ends when it reaches `level`. */
  wakePin: { pin: number; level: 0 | 1 } | undefined;
  /** Hard cap on one wake, ms: whatever happens, the node is asleep after it. */
  awakeMs: number;
  logLevel: LogLevel;
  /** The node config document (NodeConfig), when the build gives one; else the core's default. */
  node: unknown;
  /** deviceId override (also settable in kv by provisioning). */
  deviceId: string | undefined;
  /** One-time claim secret for first-boot provisioning (development; the factory writes kv prov.claim). */
  claimSecret: string | undefined;
  /** Board id that signed firmware manifests must name (OTA). */
  board: string;
  /** Security version of this build (anti-rollback floor). */
  securityVersion: number;
  /** Ed25519 public keys (32 bytes) whose firmware signatures the node accepts; none = no OTA. */
  otaKeys: Uint8Array[];
}

type Raw = Readonly<Record<string, unknown>>;

function text(raw: Raw, key: string, fallback = ''): string {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' && typeof v !== 'number') throw new FirmwareError('ERR_CONFIG_INVALID', `${key}: expected text`);
  return String(v);
}

function num(raw: Raw, key: string, fallback: number, min = -Infinity, max = Infinity): number {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n < min || n > max) throw new FirmwareError('ERR_CONFIG_INVALID', `${key}: expected a number in ${min}..${max}, got ${String(v)}`);
  return n;
}

function optionalPin(raw: Raw, key: string): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === '' || v === -1 || v === '-1') return undefined;
  return num(raw, key, -1, 0, 63);
}

const KINDS: readonly SensorKind[] = Object.freeze(['sht3x', 'bmp280', 'bme68x'] as const);

function sensors(raw: Raw): SensorConfig[] {
  const list = raw['sensors'];
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new FirmwareError('ERR_CONFIG_INVALID', 'sensors: expected an array');
  return list.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) throw new FirmwareError('ERR_CONFIG_INVALID', `sensors[${i}]: expected an object`);
    const e = entry as Raw;
    const kind = e['kind'];
    if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
      throw new FirmwareError('ERR_CONFIG_INVALID', `sensors[${i}].kind: one of ${KINDS.join(', ')}`);
    }
    const out: SensorConfig = { id: text(e, 'id', kind), kind: kind as SensorKind };
    if (e['address'] !== undefined) out.address = num(e, 'address', 0, 0x08, 0x77);
    if (e['hz'] !== undefined) out.hz = num(e, 'hz', 0, 10_000, 1_000_000);
    if (e['humidityScale'] !== undefined) out.humidityScale = num(e, 'humidityScale', 1, 0.001, 1000);
    return out;
  });
}

function staticIp(raw: Raw): StaticIp | undefined {
  const address = text(raw, 'wifi_static_ip');
  if (address === '') return undefined;
  const s: StaticIp = { address, netmask: text(raw, 'wifi_netmask', '255.255.255.0'), gateway: text(raw, 'wifi_gateway') };
  if (s.gateway === '') throw new FirmwareError('ERR_CONFIG_INVALID', 'wifi_gateway: required with wifi_static_ip');
  const dns = text(raw, 'wifi_dns');
  if (dns !== '') s.dns = dns;
  return s;
}

function otaKeys(raw: Raw): Uint8Array[] {
  const v = raw['ota_keys'];
  if (v === undefined || v === null || v === '') return [];
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : undefined;
  if (list === undefined) throw new FirmwareError('ERR_CONFIG_INVALID', 'ota_keys: hex Ed25519 public keys, as an array or comma-separated');
  return list.map((k: unknown, i) => {
    const hex = typeof k === 'string' ? k.trim() : '';
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new FirmwareError('ERR_CONFIG_INVALID', `ota_keys[${i}]: 64 hex digits (a 32-byte Ed25519 public key)`);
    const key = new Uint8Array(32);
    for (let j = 0; j < 32; j++) key[j] = parseInt(hex.slice(2 * j, 2 * j + 2), 16);
    return key;
  });
}

const LEVELS: readonly LogLevel[] = Object.freeze(['debug', 'info', 'warn', 'error'] as const);

/**
 * `defaultI2c` is the board's (device.I2C.default) when it has one; bare ESP32 has none, and
 * the manifest's i2c_data / i2c_clock apply.
 */
export function readHostConfig(raw: Raw, defaultI2c?: { data?: unknown; clock?: unknown; port?: unknown }): HostConfig {
  const wifi: WifiConfig = {
    ssid: text(raw, 'wifi_ssid'),
    password: text(raw, 'wifi_password'),
    joinTimeoutMs: num(raw, 'wifi_join_ms', 15_000, 1_000, 120_000),
    fastJoinMs: num(raw, 'wifi_fast_ms', 3_000, 0, 60_000),
  };
  const ip = staticIp(raw);
  if (ip !== undefined) wifi.staticIp = ip;

  const data = optionalPin(raw, 'i2c_data') ?? (typeof defaultI2c?.data === 'number' ? defaultI2c.data : undefined);
  const clock = optionalPin(raw, 'i2c_clock') ?? (typeof defaultI2c?.clock === 'number' ? defaultI2c.clock : undefined);
  let i2c: I2cBus | undefined;
  if (data !== undefined && clock !== undefined) {
    i2c = { data, clock };
    const port = raw['i2c_port'] ?? defaultI2c?.port;
    if (typeof port === 'number' || (typeof port === 'string' && port !== '')) i2c.port = Number(port);
  }

  const battery: BatteryConfig = {
    dividerRatio: num(raw, 'battery_divider', DEFAULT_BATTERY.dividerRatio, 1, 20),
    fullScaleVolts: num(raw, 'battery_full_scale', DEFAULT_BATTERY.fullScaleVolts, 0.5, 5),
    samples: num(raw, 'battery_samples', DEFAULT_BATTERY.samples, 1, 64),
    fixedVolts: num(raw, 'battery_fixed_volts', DEFAULT_BATTERY.fixedVolts, 0, 20),
  };
  const batteryPin = optionalPin(raw, 'battery_pin');
  if (batteryPin !== undefined) battery.pin = batteryPin;

  const wake = optionalPin(raw, 'wake_pin');
  const level = num(raw, 'wake_level', 0, 0, 1);
  const logLevel = text(raw, 'log_level', 'info');
  if (!(LEVELS as readonly string[]).includes(logLevel)) throw new FirmwareError('ERR_CONFIG_INVALID', `log_level: one of ${LEVELS.join(', ')}`);
  const deviceId = text(raw, 'device_id');

  return {
    firmwareVersion: text(raw, 'firmware_version', '0.0.0'),
    wifi,
    i2c,
    sensors: sensors(raw),
    battery,
    wakePin: wake === undefined ? undefined : { pin: wake, level: level === 1 ? 1 : 0 },
    awakeMs: num(raw, 'awake_ms', 60_000, 5_000, 600_000),
    logLevel: logLevel as LogLevel,
    node: raw['node'],
    deviceId: deviceId === '' ? undefined : deviceId,
    claimSecret: text(raw, 'claim_secret') === '' ? undefined : text(raw, 'claim_secret'),
    board: text(raw, 'board', 'esp32'),
    securityVersion: num(raw, 'security_version', 0, 0, 0xffff),
    otaKeys: otaKeys(raw),
  };
}
