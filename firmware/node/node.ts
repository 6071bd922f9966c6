/**
 * createNode: wires a node from its ports and its config (style item 7: every collaborator is
 * checked here, at wiring time, so a missing or incomplete port fails at start with
 * ERR_PORT_MISSING naming it, never at first use deep inside a wake cycle).
 *
 * The Node holds what does not change between wakes: the validated config, the ports, and the
 * runtime objects built once from the config (channel pipelines, rules, planner spec). Their
 * state lives in the retained record and is restored at every wake (wake-cycle.ts), so a node
 * object reused across cycles (tests, simulator) behaves exactly like a device that rebuilds it
 * at every boot.
 */
import { decode } from '../codec/cbor.js';
import { FirmwareError } from '../errors.js';
import type { ClockPort } from '../ports/clock.js';
import type { KvPort } from '../ports/kv.js';
import type { LogPort } from '../ports/log.js';
import type { PowerPort } from '../ports/power.js';
import type { RandomPort } from '../ports/random.js';
import type { RetainedPort } from '../ports/retained.js';
import type { SensorPort } from '../ports/sensors.js';
import type { TimerPort } from '../ports/timer.js';
import type { PlannerSpec } from '../planner/planner.js';
import { RuleSet } from '../rules/rule-set.js';
import { Channel } from '../sampling/channel.js';
import { POWER_SENSOR, validateNodeConfig, type ChannelConfig, type NodeConfig } from './config.js';
import type { UpdateStep, UplinkStep } from './steps.js';

export interface FirmwareInfo {
  version: string;
  slot: 0 | 1;
  bootState: string;
}

export interface NodePorts {
  clock: ClockPort;
  retained: RetainedPort;
  kv: KvPort;
  sensors: readonly SensorPort[];
  power: PowerPort;
  log: LogPort;
  random: RandomPort;
  timer?: TimerPort;
  /** Outbox + MQTT + check-in (issue #3). Without it, reports stay in the cycle's result. */
  uplink?: UplinkStep;
  /** A/B update (issue #4). */
  update?: UpdateStep;
}

export interface CreateNodeOptions extends NodePorts {
  /** The build's config; a valid config saved in kv (remote config from check-in) wins over it. */
  config: NodeConfig | unknown;
  /** Firmware identity for the device status (default 0.0.0, slot 0, valid). */
  firmware?: () => FirmwareInfo;
  /** Hard limit on the radio window, ms (default 30 s). */
  windowBudgetMs?: number;
}

/** One channel's runtime: its config, pipeline and where its raw value comes from. */
export interface ChannelRuntime {
  readonly config: ChannelConfig;
  pipeline: Channel;
  /** The SensorPort, or undefined for the battery (PowerPort). */
  readonly sensor: SensorPort | undefined;
}

/**
 * The wired node. `config`, `channels`, `rules`, `planner` and `baseName` change only when a
 * remote config is adopted (applyConfig) or a cold start rebuilds the pipelines.
 */
export interface Node {
  readonly ports: Readonly<NodePorts>;
  config: NodeConfig;
  channels: ChannelRuntime[];
  rules: RuleSet;
  planner: PlannerSpec;
  /** SenML base name sent in each pack: config.baseName, or '' (none: the MQTT topic names the device). */
  baseName: string;
  readonly firmware: () => FirmwareInfo;
  readonly windowBudgetMs: number;
  /** Where the config came from at wiring. */
  readonly configSource: 'build' | 'kv';
  /**
   * Set by a cycle that ended with `stayAwake` (an update pending verification): the next cycle
   * on this node continues the same boot, so it does not call `update.onBoot` again (that would
   * restart the health clock). `sensorsRead`: a sensor delivered a value earlier in this boot.
   */
  awake?: { sensorsRead: boolean } | undefined;
}

/** kv key of the remote config document (CBOR of a NodeConfig). */
export const KV_CONFIG = 'node.config';

type PortShape = Readonly<Record<string, 'function' | 'number' | 'string'>>;

const SHAPES: Readonly<Record<string, PortShape>> = Object.freeze({
  clock: { wallMs: 'function', monotonicMs: 'function', setWallMs: 'function' },
  retained: { capacity: 'number', load: 'function', save: 'function' },
  kv: { get: 'function', set: 'function', delete: 'function', keys: 'function' },
  power: { batteryVolts: 'function', resetReason: 'function', wakeCause: 'function', deepSleep: 'function', restart: 'function' },
  log: { log: 'function' },
  random: { next: 'function' },
  timer: { set: 'function', clear: 'function' },
  sensor: { id: 'string', sample: 'function' },
  uplink: { enqueue: 'function', backlog: 'function', nextAttemptAtMs: 'function', openWindow: 'function', snapshot: 'function', restore: 'function' },
  update: {
    onBoot: 'function', recordHealth: 'function', handleOffer: 'function', pendingOutcome: 'function',
    acknowledgeOutcome: 'function', wantsWindow: 'function', isPendingVerify: 'function', snapshot: 'function', restore: 'function',
  },
});

function checkPort(name: string, shape: PortShape, port: unknown, optional: boolean): void {
  if (port === undefined && optional) return;
  if (typeof port !== 'object' || port === null) throw new FirmwareError('ERR_PORT_MISSING', `${name}: not given`, { port: name });
  const record = port as Record<string, unknown>;
  for (const key of Object.keys(shape)) {
    if (typeof record[key] !== shape[key]) {
      throw new FirmwareError('ERR_PORT_MISSING', `${name}.${key}: expected a ${shape[key]}`, { port: name, member: key });
    }
  }
}

/** Checks every port's shape; throws ERR_PORT_MISSING naming the first missing one. */
export function checkPorts(ports: Partial<NodePorts>): void {
  checkPort('clock', SHAPES['clock']!, ports.clock, false);
  checkPort('retained', SHAPES['retained']!, ports.retained, false);
  checkPort('kv', SHAPES['kv']!, ports.kv, false);
  checkPort('power', SHAPES['power']!, ports.power, false);
  checkPort('log', SHAPES['log']!, ports.log, false);
  checkPort('random', SHAPES['random']!, ports.random, false);
  checkPort('timer', SHAPES['timer']!, ports.timer, true);
  checkPort('uplink', SHAPES['uplink']!, ports.uplink, true);
  checkPort('update', SHAPES['update']!, ports.update, true);
  if (!Array.isArray(ports.sensors)) throw new FirmwareError('ERR_PORT_MISSING', 'sensors: expected an array of SensorPorts', { port: 'sensors' });
  const seen: string[] = [];
  ports.sensors.forEach((sensor: unknown, i: number) => {
    checkPort(`sensors[${i}]`, SHAPES['sensor']!, sensor, false);
    const id = (sensor as SensorPort).id;
    if (id === POWER_SENSOR || seen.indexOf(id) >= 0) throw new FirmwareError('ERR_PORT_MISSING', `sensors[${i}].id: "${id}" is reserved or given twice`, { port: `sensors[${i}]` });
    seen.push(id);
  });
}

function storedConfig(kv: KvPort, log: LogPort): NodeConfig | undefined {
  const bytes = kv.get(KV_CONFIG);
  if (bytes === undefined) return undefined;
  try {
    return validateNodeConfig(decode(bytes));
  } catch (error) {
    // A stored config that no longer validates (older firmware's rules, flash damage) must not
    // brick the node: run the build's config and say so.
    log.log('warn', 'CONFIG_STORED_INVALID', { error: (error as Error).message });
    return undefined;
  }
}

/** Builds the channel pipelines and rules for a config (also after a remote config update). */
export function buildRuntime(config: NodeConfig, sensors: readonly SensorPort[]): { channels: ChannelRuntime[]; rules: RuleSet } {
  const channels = config.channels.map((c, i): ChannelRuntime => {
    const sensor = c.sensor === POWER_SENSOR ? undefined : sensors.find((s) => s.id === c.sensor);
    if (c.sensor !== POWER_SENSOR && sensor === undefined) {
      throw new FirmwareError('ERR_PORT_MISSING', `sensor "${c.sensor}" named by channels[${i}].sensor is not wired`, { port: `sensor ${c.sensor}` });
    }
    return { config: c, pipeline: newPipeline(c, i), sensor };
  });
  return { channels, rules: newRuleSet(config) };
}

/** The config's threshold rules, every one cleared. */
export function newRuleSet(config: NodeConfig): RuleSet {
  return new RuleSet(config.channels.flatMap((c) => c.rules.map((r) => ({ ...r, channel: c.name }))));
}

export function newPipeline(c: ChannelConfig, index: number): Channel {
  const spec = c.aggregate !== undefined
    ? { name: c.name, filters: c.filters, aggregate: c.aggregate }
    : { name: c.name, filters: c.filters, report: c.report ?? { type: 'always' as const } };
  return new Channel(spec, `channels[${index}]`);
}

export function plannerSpecOf(config: NodeConfig): PlannerSpec {
  return Object.freeze({
    maxSleepMs: config.maxSleepMs,
    alignMs: config.alignWindowMs,
    lowBatteryVolts: config.battery.lowVolts,
    stretch: config.battery.stretch,
  });
}

const DEFAULT_FIRMWARE: FirmwareInfo = Object.freeze({ version: '0.0.0', slot: 0, bootState: 'valid' });

export function createNode(options: CreateNodeOptions): Node {
  if (typeof options !== 'object' || options === null) throw new FirmwareError('ERR_PORT_MISSING', 'createNode needs its ports');
  checkPorts(options);
  const build = validateNodeConfig(options.config);
  const stored = storedConfig(options.kv, options.log);
  const config = stored ?? build;
  const { channels, rules } = buildRuntime(config, options.sensors);
  const ports: NodePorts = {
    clock: options.clock, retained: options.retained, kv: options.kv, sensors: options.sensors,
    power: options.power, log: options.log, random: options.random,
  };
  if (options.timer !== undefined) ports.timer = options.timer;
  if (options.uplink !== undefined) ports.uplink = options.uplink;
  if (options.update !== undefined) ports.update = options.update;
  const windowBudgetMs = options.windowBudgetMs ?? 30_000;
  if (!Number.isFinite(windowBudgetMs) || windowBudgetMs <= 0) throw new FirmwareError('ERR_CONFIG_INVALID', 'windowBudgetMs: expected a positive number', { path: 'windowBudgetMs' });
  return {
    ports: Object.freeze(ports),
    config,
    channels,
    rules,
    planner: plannerSpecOf(config),
    baseName: config.baseName ?? '',
    firmware: options.firmware ?? (() => DEFAULT_FIRMWARE),
    windowBudgetMs,
    configSource: stored === undefined ? 'build' : 'kv',
  };
}

/**
 * Adopts a new validated config: pipelines whose spec did not change keep their state (the
 * channel's fingerprint decides), others start fresh; rules keep their state by id.
 */
export function applyConfig(node: Node, config: NodeConfig): void {
  const previous = new Map(node.channels.map((ch) => [ch.config.name, ch.pipeline] as const));
  const rulesState = node.rules.snapshot();
  const runtime = buildRuntime(config, node.ports.sensors);
  for (const ch of runtime.channels) {
    const old = previous.get(ch.config.name);
    if (old === undefined) continue;
    try {
      ch.pipeline.restoreState(old.state());
    } catch {
      // Another filter chain or policy: the old state means nothing to it.
    }
  }
  try {
    runtime.rules.restore(rulesState);
  } catch {
    // Rule levels changed shape: start them cleared.
  }
  node.config = config;
  node.channels = runtime.channels;
  node.rules = runtime.rules;
  node.planner = plannerSpecOf(config);
  node.baseName = config.baseName ?? '';
}
