/**
 * NodeConfig: what a node samples, how it decides and when it sleeps, as data. It arrives from
 * the build (DEFAULT_NODE_CONFIG or an app's own), from kv, or from the server at check-in
 * (remote config, design section 5), so validateNodeConfig checks every field and names the
 * path of the first bad one: FirmwareError ERR_CONFIG_INVALID, details.path = 'channels[1].filters[0].window'.
 *
 * Pure: no ports, no state. The server imports it (through firmware/index.ts) to refuse a config
 * document before any device sees it. The channel, filter, report, aggregate and rule parts are
 * checked by their own modules (firmware/sampling, firmware/rules), with the paths given here.
 */
import type { Quantity } from '../ports/sensors.js';
import type { AggregateSpec } from '../sampling/aggregate.js';
import { parseChannelSpec } from '../sampling/channel.js';
import type { FilterSpec } from '../sampling/filters/registry.js';
import type { ReportPolicySpec } from '../sampling/policy/registry.js';
import { aObject, anArray, aNumber, aOneOf, aString, configError, type SpecObject } from '../sampling/validate.js';
import { DEVICE_ID_PATTERN } from '../messages/checkin.js';
import { TOPIC_PREFIX_PATTERN } from '../messages/provision.js';
import { parseThresholdRuleSpec, type ThresholdRuleSpec } from '../rules/threshold.js';

/** A threshold rule inside a channel: the channel is implied. */
export type ChannelRuleSpec = Omit<ThresholdRuleSpec, 'channel'>;

export interface ChannelConfig {
  /** Channel and SenML record name (resolved name: the base name, then this). */
  readonly name: string;
  /** Id of a SensorPort, or 'power' for the battery voltage from the PowerPort. */
  readonly sensor: string;
  readonly quantity: Quantity;
  readonly samplePeriodMs: number;
  readonly filters: readonly FilterSpec[];
  /** Report policy (deadband, throttle, heartbeat, anyOf/allOf); absent when `aggregate` is given. */
  readonly report?: ReportPolicySpec;
  /** Windowed min/max/mean/count instead of a report policy. */
  readonly aggregate?: AggregateSpec;
  readonly rules: readonly ChannelRuleSpec[];
  /** Decimal places the value is rounded to on the wire (ESPHome accuracy_decimals); absent = as is. */
  readonly decimals?: number;
}

/** Below `lowVolts` every period is multiplied by `stretch` (never past maxSleepMs). */
export interface BatteryPolicy {
  readonly lowVolts: number;
  readonly stretch: number;
}

export interface NodeConfig {
  /** Device identity: MQTT topics <topicPrefix>/<deviceId>/..., check-in. */
  readonly deviceId: string;
  /**
   * SenML base name sent in every pack (`bn`), e.g. `urn:dev:<deviceId>:`. Absent (the default):
   * no `bn`, since the MQTT topic `<topicPrefix>/<deviceId>/up` already names the device and the
   * consumer resolves full names from it (resolvePack's `baseName` option); ~20 bytes a pack.
   */
  readonly baseName?: string;
  /** Config version; the server sends a new document when its version differs. */
  readonly version: number;
  readonly channels: readonly ChannelConfig[];
  readonly checkInPeriodMs: number;
  /** Never sleep longer than this (a wake to check the battery and clocks at least). */
  readonly maxSleepMs: number;
  readonly battery: BatteryPolicy;
  /** Work due within this window after a wake is done in that wake (shares radio and boot cost). */
  readonly alignWindowMs: number;
  readonly topicPrefix: string;
}

export const MAX_CHANNELS = 16;
export const MIN_SAMPLE_PERIOD_MS = 1000;
const WEEK_MS = 7 * 86_400_000;
const SENSOR_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
/** A SenML name (RFC 8428 4.5.1), at most 64 characters. */
const BASE_NAME = /^[A-Za-z0-9][A-Za-z0-9\-:./_]{0,63}$/;
export const POWER_SENSOR = 'power';
const QUANTITIES: readonly Quantity[] = Object.freeze(['temperature', 'humidity', 'pressure', 'battery'] as const);

const NODE_KEYS = Object.freeze(['deviceId', 'baseName', 'version', 'channels', 'checkInPeriodMs', 'maxSleepMs', 'battery', 'alignWindowMs', 'topicPrefix']);
const CHANNEL_KEYS = Object.freeze(['name', 'sensor', 'quantity', 'samplePeriodMs', 'filters', 'report', 'aggregate', 'rules', 'decimals']);
const RULE_KEYS = Object.freeze(['id', 'high', 'low', 'hysteresis', 'debounce']);

function required(obj: SpecObject, key: string, path: string): unknown {
  const value = obj[key];
  if (value === undefined) throw configError(`${path}${path === '' ? '' : '.'}${key}`, 'required');
  return value;
}

function validateChannel(raw: unknown, path: string): ChannelConfig {
  const obj = aObject(raw, path, CHANNEL_KEYS);
  const name = aString(required(obj, 'name', path), `${path}.name`);
  const sensor = aString(required(obj, 'sensor', path), `${path}.sensor`, SENSOR_ID);
  const quantity = aOneOf(required(obj, 'quantity', path), `${path}.quantity`, QUANTITIES);
  if ((quantity === 'battery') !== (sensor === POWER_SENSOR)) {
    throw configError(`${path}.sensor`, `quantity battery is read from sensor "${POWER_SENSOR}", and only it`);
  }
  const samplePeriodMs = aNumber(required(obj, 'samplePeriodMs', path), `${path}.samplePeriodMs`, { integer: true, min: MIN_SAMPLE_PERIOD_MS, max: WEEK_MS });
  // The pipeline part (name, filters, report | aggregate) is the sampling module's to check.
  const pipeline: Record<string, unknown> = { name };
  for (const key of ['filters', 'report', 'aggregate'] as const) if (obj[key] !== undefined) pipeline[key] = obj[key];
  const spec = parseChannelSpec(pipeline, path);
  const rules = obj['rules'] === undefined ? [] : anArray(obj['rules'], `${path}.rules`, 0, 8).map((r, i) => {
    const at = `${path}.rules[${i}]`;
    aObject(r, at, RULE_KEYS);
    const { channel: _implied, ...rule } = parseThresholdRuleSpec({ ...(r as SpecObject), channel: name }, at);
    return Object.freeze(rule);
  });
  const channel: { -readonly [K in keyof ChannelConfig]: ChannelConfig[K] } = {
    name, sensor, quantity, samplePeriodMs, filters: Object.freeze(spec.filters ?? []), rules: Object.freeze(rules),
  };
  if (obj['decimals'] !== undefined) channel.decimals = aNumber(obj['decimals'], `${path}.decimals`, { integer: true, min: 0, max: 6 });
  if (spec.report !== undefined) channel.report = spec.report;
  if (spec.aggregate !== undefined) channel.aggregate = spec.aggregate;
  return Object.freeze(channel);
}

/**
 * Checks a config document and returns a normalised, frozen copy. Throws FirmwareError
 * ERR_CONFIG_INVALID whose message starts with the path of the bad field and whose
 * details.path holds it.
 */
export function validateNodeConfig(value: unknown): NodeConfig {
  const obj = aObject(value, 'config', NODE_KEYS);
  const deviceId = aString(required(obj, 'deviceId', ''), 'deviceId', DEVICE_ID_PATTERN); // the one rule: check-in and provisioning use it too
  const version = aNumber(required(obj, 'version', ''), 'version', { integer: true, min: 0, max: 0xffffffff });
  const channels = anArray(required(obj, 'channels', ''), 'channels', 1, MAX_CHANNELS).map((c, i) => validateChannel(c, `channels[${i}]`));
  const ruleIds = new Map<string, string>();
  channels.forEach((c, i) => {
    if (channels.findIndex((o) => o.name === c.name) !== i) throw configError(`channels[${i}].name`, `duplicate channel name "${c.name}"`);
    c.rules.forEach((r, j) => {
      const at = `channels[${i}].rules[${j}].id`;
      if (ruleIds.has(r.id)) throw configError(at, `duplicate rule id "${r.id}" (also ${ruleIds.get(r.id)!})`);
      ruleIds.set(r.id, at);
    });
  });
  const checkInPeriodMs = aNumber(required(obj, 'checkInPeriodMs', ''), 'checkInPeriodMs', { integer: true, min: 60_000, max: 30 * 86_400_000 });
  const maxSleepMs = aNumber(required(obj, 'maxSleepMs', ''), 'maxSleepMs', { integer: true, min: MIN_SAMPLE_PERIOD_MS, max: WEEK_MS });
  const batteryObj = aObject(required(obj, 'battery', ''), 'battery', ['lowVolts', 'stretch']);
  const battery = Object.freeze({
    lowVolts: aNumber(required(batteryObj, 'lowVolts', 'battery'), 'battery.lowVolts', { min: 2, max: 5 }),
    stretch: aNumber(required(batteryObj, 'stretch', 'battery'), 'battery.stretch', { min: 1, max: 100 }),
  });
  const alignWindowMs = aNumber(required(obj, 'alignWindowMs', ''), 'alignWindowMs', { integer: true, min: 0, max: maxSleepMs });
  // The same rule as the provisioning answer's topic prefix: one notion of a valid prefix.
  const topicPrefix = aString(required(obj, 'topicPrefix', ''), 'topicPrefix', TOPIC_PREFIX_PATTERN);
  if (topicPrefix.length > 64) throw configError('topicPrefix', 'at most 64 characters');
  const config: { -readonly [K in keyof NodeConfig]: NodeConfig[K] } = {
    deviceId, version, channels: Object.freeze(channels), checkInPeriodMs, maxSleepMs, battery, alignWindowMs, topicPrefix,
  };
  if (obj['baseName'] !== undefined) config.baseName = aString(obj['baseName'], 'baseName', BASE_NAME);
  return Object.freeze(config);
}

/** Report on a change beyond `abs`, or after `maxSilenceMs` without a report (a heartbeat). */
function changeOrHeartbeat(abs: number, maxSilenceMs: number): ReportPolicySpec {
  return Object.freeze({ type: 'anyOf', of: Object.freeze([{ type: 'deadband', abs }, { type: 'heartbeat', maxSilenceMs }]) }) as ReportPolicySpec;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The reference node: SHT3x (temperature, humidity) and BMP280 (pressure) on I2C, plus the
 * battery. Change-only reporting with a heartbeat; a temperature alarm with hysteresis and
 * debounce. Build-time constant, validated by the test suite (and by createNode at wiring).
 */
export const DEFAULT_NODE_CONFIG: NodeConfig = Object.freeze({
  deviceId: 'node-0001',
  version: 1,
  channels: Object.freeze([
    Object.freeze({
      name: 'temp', sensor: 'sht3x', quantity: 'temperature', samplePeriodMs: 5 * MINUTE, decimals: 1,
      filters: Object.freeze([{ type: 'median', window: 3 } as FilterSpec]),
      report: changeOrHeartbeat(0.3, HOUR),
      rules: Object.freeze([{ id: 'temp_high', high: 30, hysteresis: 1, debounce: 2 }]),
    }),
    Object.freeze({
      name: 'hum', sensor: 'sht3x', quantity: 'humidity', samplePeriodMs: 5 * MINUTE, decimals: 1,
      filters: Object.freeze([]),
      report: changeOrHeartbeat(3, HOUR),
      rules: Object.freeze([]),
    }),
    Object.freeze({
      name: 'press', sensor: 'bmp280', quantity: 'pressure', samplePeriodMs: 5 * MINUTE, decimals: 0,
      filters: Object.freeze([]),
      report: changeOrHeartbeat(100, HOUR),
      rules: Object.freeze([]),
    }),
    Object.freeze({
      name: 'bat', sensor: POWER_SENSOR, quantity: 'battery', samplePeriodMs: HOUR, decimals: 2,
      filters: Object.freeze([]),
      report: changeOrHeartbeat(0.05, 6 * HOUR),
      rules: Object.freeze([{ id: 'bat_low', low: 3.4, hysteresis: 0.1, debounce: 1 }]),
    }),
  ] as ChannelConfig[]),
  checkInPeriodMs: 6 * HOUR,
  maxSleepMs: HOUR,
  battery: Object.freeze({ lowVolts: 3.5, stretch: 3 }),
  alignWindowMs: 30_000,
  topicPrefix: 'nodes',
});
