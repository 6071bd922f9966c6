/**
 * Steps 2-3 of the wake cycle: sample each sensor that is due (once per sensor, however many
 * channels read it), run each due channel's pipeline (filters, then report policy or windowed
 * aggregate), and close aggregate windows whose end has passed.
 *
 * A channel is due when the previous cycle planned it for this wake (the planner batches work
 * a little early, within alignWindowMs), when it was never sampled, when its period has
 * elapsed, or when its heartbeat is overdue (a heartbeat report needs a fresh value); and every
 * channel while an update pending verification still lacks its "sensors read" evidence.
 */
import type { SensorPort, SensorSample } from '../ports/sensors.js';
import type { Reading } from '../sampling/channel.js';
import type { ChannelRuntime, Node } from './node.js';
import type { CycleState } from './state.js';

export interface SampleEffect {
  readonly channel: string;
  readonly sensor: string;
  /** The raw value read, when it was read. */
  readonly raw?: number;
  /** The filtered value, when the chain did not end. */
  readonly value?: number;
  /** Why there is no raw value: the sensor threw, had no data, or lacked this quantity. */
  readonly error?: 'bus-error' | 'not-ready' | 'missing';
}

export interface SampleResult {
  readonly sampled: SampleEffect[];
  /** Readings the policies and aggregates decided to report this cycle. */
  readonly readings: Reading[];
  /** Filtered values by channel index, for the local rules. */
  readonly values: (number | undefined)[];
  /** At least one sensor delivered a value (health evidence for a pending update). */
  readonly sensorsRead: boolean;
}

function rawOf(ch: ChannelRuntime, sample: SensorSample | undefined): number | undefined {
  switch (ch.config.quantity) {
    case 'temperature': return sample?.thermometer?.temperature;
    case 'humidity': return sample?.hygrometer?.humidity;
    case 'pressure': return sample?.barometer?.pressure;
    default: return undefined;
  }
}

function isDue(node: Node, state: CycleState, i: number, nowMs: number, all: boolean): boolean {
  if (all) return true;
  const ch = node.channels[i]!;
  if (state.planned !== undefined && state.planned.sample.indexOf(ch.config.name) >= 0) return true;
  const last = state.lastSampleMs.get(ch.config.name);
  if (last === undefined || nowMs < last || nowMs - last >= ch.config.samplePeriodMs) return true;
  if (ch.config.aggregate !== undefined) return false;
  const heartbeat = ch.pipeline.nextDueMs();
  return heartbeat !== undefined && heartbeat <= nowMs;
}

/**
 * `all`: sample every channel whatever its schedule (an image pending verification needs
 * "sensors read" as health evidence within its one boot, before its health timeout).
 */
export function sampleAndDecide(node: Node, state: CycleState, nowMs: number, all = false): SampleResult {
  const { power, log } = node.ports;
  // One sample per sensor per cycle, however many channels read it (ECMA-419: one sample() call).
  const sensorsSampled: SensorPort[] = [];
  const samples: (SensorSample | 'bus-error' | 'not-ready')[] = [];
  const sampled: SampleEffect[] = [];
  const readings: Reading[] = [];
  const values: (number | undefined)[] = [];
  let sensorsRead = false;

  for (let i = 0; i < node.channels.length; i++) {
    const ch = node.channels[i]!;
    values.push(undefined);
    if (isDue(node, state, i, nowMs, all)) {
      let raw: number | undefined;
      let error: SampleEffect['error'];
      if (ch.sensor === undefined) {
        raw = power.batteryVolts();
      } else {
        const k = sensorsSampled.indexOf(ch.sensor);
        let sample = k >= 0 ? samples[k]! : undefined;
        if (sample === undefined) {
          try {
            sample = ch.sensor.sample() ?? 'not-ready';
          } catch (e) {
            sample = 'bus-error';
            log.log('warn', 'SENSOR_ERROR', { sensor: ch.sensor.id, error: (e as Error).message });
          }
          sensorsSampled.push(ch.sensor);
          samples.push(sample);
        }
        if (typeof sample === 'string') error = sample;
        else {
          raw = rawOf(ch, sample);
          if (raw === undefined) error = 'missing';
        }
      }
      // Sampled even when the read failed: a broken sensor must not keep the node awake.
      state.lastSampleMs.set(ch.config.name, nowMs);
      if (raw === undefined) {
        sampled.push({ channel: ch.config.name, sensor: ch.config.sensor, error: error ?? 'missing' });
      } else {
        sensorsRead = true;
        const step = ch.pipeline.push(raw, nowMs);
        values[i] = step.value;
        for (let k = 0; k < step.readings.length; k++) readings.push(step.readings[k]!);
        sampled.push(step.value === undefined
          ? { channel: ch.config.name, sensor: ch.config.sensor, raw }
          : { channel: ch.config.name, sensor: ch.config.sensor, raw, value: step.value });
      }
    }
    // Aggregate windows close on time alone (poll), sampled this cycle or not.
    if (ch.config.aggregate !== undefined) {
      const due = ch.pipeline.nextDueMs();
      if (due !== undefined && due <= nowMs) {
        const closed = ch.pipeline.poll(nowMs);
        for (let k = 0; k < closed.length; k++) readings.push(closed[k]!);
      }
    }
  }
  return { sampled, readings, values, sensorsRead };
}
