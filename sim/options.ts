/**
 * A simulation's settings, their defaults and checks. The CLI (sim/cli.ts) and the demo
 * (sim/start.ts) build these; runSimulation (sim/run.ts) takes them.
 */
import { DEFAULT_NODE_CONFIG, type ChannelConfig, type NodeConfig } from '../firmware/index.js';
import { DEFAULT_BASELINE, type BaselineOptions } from './baseline.js';
import { BATTERIES, DEFAULT_ENERGY, type Battery, type EnergyAssumptions } from './energy.js';
import type { Fault } from './faults.js';
import type { NoiseSpec } from './inputs/models.js';
import type { Trace, TraceSensor } from './inputs/trace.js';

export type SimMode = 'full' | 'logic';
export type SimEngine = 'node' | 'xs';

export interface RolloutPolicy {
  stages: number[];
  /** Pause when (failed + rolled back) / attempted exceeds this... */
  failureThreshold: number;
  /** ...with at least this many attempted. */
  minSample: number;
  /** Each stage soaks this long before the next (virtual seconds). */
  soakSeconds: number;
}

export interface SimOptions {
  devices: number;
  hours: number;
  mode: SimMode;
  engine: SimEngine;
  /** XS workers (engine xs). */
  workers: number;
  seed: number;
  /** True UTC ms of the run's start. */
  startUtcMs: number;
  /** Sensor inputs: a trace, or the built-in model when undefined. */
  trace?: Trace;
  /** Each device starts its replay at a random offset up to this (ms). */
  traceSpreadMs: number;
  /** Noise added to the trace per device (σ per sensor). */
  traceNoise: NoiseSpec;
  /** Built-in model: heat events per device per day. */
  heatEventsPerDay: number;
  faults: Fault[];
  /** An external broker (mqtt://host:port); embedded Aedes when undefined. */
  broker?: string;
  battery: Battery;
  energy: EnergyAssumptions;
  baseline: BaselineOptions;
  rollout: RolloutPolicy;
  /** Devices are powered on at random instants within this span from the start (ms). */
  phaseSpreadMs: number;
  /** Clock drift when no clock-drift fault says otherwise: uniform in ±this (ppm). */
  defaultDriftPpm: number;
  /** The firmware's MQTT backoff across wakes. */
  backoff: { baseMs: number; capMs: number };
  jitter: boolean;
  outboxBytes: number;
  /** Device config changes over DEFAULT_NODE_CONFIG (e.g. checkInPeriodMs). */
  config: Partial<Pick<NodeConfig, 'checkInPeriodMs' | 'maxSleepMs' | 'alignWindowMs'>>;
  /** Devices whose wakes fall within this much virtual time run concurrently (ms). */
  sliceMs: number;
  /** At most this many devices awake at once (full stack). */
  concurrency: number;
  /** Measure the thundering herd after the first broker outage with twin logic runs (jitter on and off). */
  herd: boolean;
  /** Slot and image sizes of the OTA flash model (bytes). */
  ota: { slotSize: number; imageBytes: number; budgetBytes: number; healthTimeoutMs: number };
  /** Stop at the end even if packs are still on their way to the consumer after this long (ms, real). */
  drainTimeoutMs: number;
}

const HOUR = 3_600_000;

export const DEFAULT_OPTIONS: Readonly<SimOptions> = Object.freeze({
  devices: 200,
  hours: 48,
  mode: 'full',
  engine: 'node',
  workers: 2,
  seed: 1,
  startUtcMs: Date.UTC(2026, 0, 5),
  traceSpreadMs: 0,
  traceNoise: {},
  heatEventsPerDay: 0.25,
  faults: [],
  battery: BATTERIES['2xaa']!,
  energy: DEFAULT_ENERGY,
  baseline: DEFAULT_BASELINE,
  rollout: { stages: [1, 5, 25, 100], failureThreshold: 0.2, minSample: 2, soakSeconds: 3 * 3600 },
  phaseSpreadMs: 5 * 60_000,
  defaultDriftPpm: 20,
  backoff: { baseMs: 60_000, capMs: HOUR },
  jitter: true,
  outboxBytes: 64 * 1024,
  config: { checkInPeriodMs: 2 * HOUR },
  sliceMs: 60_000,
  concurrency: 64,
  herd: true,
  ota: { slotSize: 128 * 1024, imageBytes: 96 * 1024, budgetBytes: 256 * 1024, healthTimeoutMs: 60_000 },
  drainTimeoutMs: 15_000,
});

export function withDefaults(options: Partial<SimOptions>): SimOptions {
  const o: SimOptions = { ...DEFAULT_OPTIONS, ...options };
  if (!Number.isInteger(o.devices) || o.devices < 1 || o.devices > 1_000_000) throw new RangeError(`devices must be an integer in 1..1000000, got ${o.devices}`);
  if (!(o.hours > 0) || o.hours > 24 * 366) throw new RangeError(`hours must be in (0, 8784], got ${o.hours}`);
  if (o.mode !== 'full' && o.mode !== 'logic') throw new RangeError(`mode must be full or logic, got ${String(o.mode)}`);
  if (o.engine !== 'node' && o.engine !== 'xs') throw new RangeError(`engine must be node or xs, got ${String(o.engine)}`);
  if (o.engine === 'xs' && o.mode !== 'full') throw new RangeError('--engine xs runs the full stack (real broker and server); logic mode runs on Node');
  if (!Number.isInteger(o.seed)) throw new RangeError(`seed must be an integer, got ${o.seed}`);
  if (!(o.sliceMs >= 0) || !(o.concurrency >= 1)) throw new RangeError('sliceMs >= 0 and concurrency >= 1');
  if (o.mode === 'logic' && o.faults.some((f) => f.kind === 'release' || f.kind === 'bad-release')) {
    throw new RangeError('releases need the real OTA server: run them in full mode (logic mode models check-in without updates)');
  }
  return o;
}

const SENSOR_OF: Readonly<Record<TraceSensor, string>> = Object.freeze({ temperature: 'sht3x', humidity: 'sht3x', pressure: 'bmp280' });

/** The device's build config: the reference node, the channels the inputs feed, the run's overrides. */
export function deviceConfig(deviceId: string, sensors: readonly TraceSensor[], topicPrefix: string, overrides: SimOptions['config']): NodeConfig {
  const channels = DEFAULT_NODE_CONFIG.channels.filter((c: ChannelConfig) => c.quantity === 'battery' || sensors.includes(c.quantity as TraceSensor));
  for (const c of channels) if (c.quantity !== 'battery' && SENSOR_OF[c.quantity as TraceSensor] !== c.sensor) throw new Error(`unexpected sensor ${c.sensor}`);
  return { ...DEFAULT_NODE_CONFIG, ...overrides, deviceId, channels, topicPrefix };
}

/** dev-0000, dev-0001, ...; with a tag (runs on a shared external broker) dev-0000.<tag>: MQTT client ids must not collide. */
export function deviceId(index: number, count: number, tag?: string): string {
  const id = `dev-${String(index).padStart(Math.max(4, String(count - 1).length), '0')}`;
  return tag === undefined ? id : `${id}.${tag}`;
}
