/**
 * What each simulated device's sensors read at a virtual instant: a trace replay (with the
 * device's own offset and noise) or the built-in model (daily cycle, noise, slow drift, weather
 * and heat events that trip the temperature alarm). Deterministic for a seed: every device has
 * its own generator, so results do not depend on the order devices run in.
 */
import { createSeededRandom, type SeededRandom } from '../../hosts/node/index.js';
import { traceValue, type Trace, type TraceSensor } from './trace.js';

export interface SensorValues {
  temperature?: number;
  humidity?: number;
  pressure?: number;
}

export interface InputSource {
  /** Sensors this source provides values for. */
  readonly sensors: readonly TraceSensor[];
  /** Values at true UTC ms `t` (draws noise: call once per sample). */
  sample(t: number): SensorValues;
  /** Heat events (model only): [start, end) true UTC ms, for the report. */
  readonly events?: readonly { startMs: number; endMs: number }[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Standard normal draw (Box-Muller). */
export function gaussian(random: { next(): number }): number {
  const u = Math.max(random.next(), 1e-12);
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export interface NoiseSpec { temperature?: number; humidity?: number; pressure?: number }

export interface TraceInputOptions {
  /** Where the replay starts (true UTC ms of the run start). */
  runStartMs: number;
  /** This device's offset into the trace (ms). */
  offsetMs?: number;
  /** Gaussian noise standard deviation per sensor (°C, %RH, Pa). */
  noise?: NoiseSpec;
  seed: number;
}

export function traceInputs(trace: Trace, options: TraceInputOptions): InputSource {
  const random = createSeededRandom(options.seed);
  const offset = options.offsetMs ?? 0;
  const noise = options.noise ?? {};
  return {
    sensors: trace.sensors,
    sample(t) {
      const elapsed = t - options.runStartMs + offset;
      const out: SensorValues = {};
      for (const s of trace.sensors) {
        const v = traceValue(trace, s, elapsed)!;
        const sigma = noise[s] ?? 0;
        out[s] = sigma > 0 ? v + sigma * gaussian(random) : v;
      }
      return out;
    },
  };
}

export interface ModelOptions {
  runStartMs: number;
  /** Length of the run: heat events are drawn inside it. */
  runMs: number;
  seed: number;
  /** Mean heat events (temperature above the 30 °C alarm) per device per day (default 0.25). */
  heatEventsPerDay?: number;
  noise?: NoiseSpec;
}

/**
 * The built-in model: a room or shed that follows the day.
 *   temperature = mean (19..24 °C) + daily swing (2..5 °C, warmest about 15:00 UTC, shifted
 *                 per device by up to ±1 h) + drift (±0.1 °C per day) + heat events (+12 °C
 *                 steps lasting 30..120 min) + noise (σ 0.05 °C)
 *   humidity    = 45..60 %RH, falling 2 %RH per °C above the mean + noise (σ 0.3 %RH)
 *   pressure    = 101325 Pa + a 3-day weather swing (±800 Pa) + noise (σ 4 Pa)
 */
export function modelInputs(options: ModelOptions): InputSource {
  const random: SeededRandom = createSeededRandom(options.seed);
  const mean = 19 + 5 * random.next();
  const swing = 2 + 3 * random.next();
  const peakShift = (random.next() * 2 - 1) * HOUR;
  const driftPerDay = (random.next() * 2 - 1) * 0.1;
  const humidityMean = 45 + 15 * random.next();
  const weatherPhase = random.next() * 3 * DAY;
  const rate = options.heatEventsPerDay ?? 0.25;
  const noise = { temperature: 0.05, humidity: 0.3, pressure: 4, ...options.noise };
  const events: { startMs: number; endMs: number }[] = [];
  if (rate > 0) {
    // Poisson process: exponential gaps.
    let t = options.runStartMs + (-Math.log(Math.max(random.next(), 1e-12)) / rate) * DAY;
    while (t < options.runStartMs + options.runMs) {
      const length = (30 + 90 * random.next()) * 60_000;
      events.push({ startMs: Math.round(t), endMs: Math.round(t + length) });
      t += length + (-Math.log(Math.max(random.next(), 1e-12)) / rate) * DAY;
    }
  }
  const peakOfDay = 15 * HOUR + peakShift;
  return {
    sensors: ['temperature', 'humidity', 'pressure'],
    events,
    sample(t) {
      const daily = swing * Math.cos((2 * Math.PI * (t - peakOfDay)) / DAY);
      const drift = (driftPerDay * (t - options.runStartMs)) / DAY;
      const heat = events.some((e) => t >= e.startMs && t < e.endMs) ? 12 : 0;
      const temperature = mean + daily + drift + heat + noise.temperature * gaussian(random);
      const humidity = Math.min(100, Math.max(0, humidityMean - 2 * (daily + heat) + noise.humidity * gaussian(random)));
      const pressure = 101_325 + 800 * Math.sin((2 * Math.PI * (t + weatherPhase)) / (3 * DAY)) + noise.pressure * gaussian(random);
      return { temperature, humidity, pressure };
    },
  };
}
