/**
 * Simulated SHT3x and BMP280 for the node host: SensorPorts that return ECMA-419 sample shapes
 * (`{ thermometer: { temperature }, hygrometer: { humidity } }`, `{ barometer: { pressure },
 * thermometer: { temperature } }`; °C, %RH, Pa) computed from signals of the clock's wall time,
 * quantised like the real parts' raw registers, with optional noise and faults.
 */
import type { ClockPort, RandomPort, SensorPort, SensorSample } from '../../firmware/index.js';
import { constant, type Signal } from './signals.js';

export interface SensorFaults {
  /** sample() throws (I2C NACK / bus error) when this returns true. */
  busError?: (utcMs: number) => boolean;
  /** The named field is missing from the sample (SHT3x drops a field whose CRC fails). */
  crcError?: (utcMs: number, field: 'temperature' | 'humidity' | 'pressure') => boolean;
  /** sample() returns undefined (no data ready). */
  notReady?: (utcMs: number) => boolean;
}

export interface SimulatedSensorOptions {
  clock: ClockPort;
  /** Used for noise; without it there is none. */
  random?: RandomPort;
  faults?: SensorFaults;
  /** Use this clock reading instead of the wall clock to evaluate signals (the sim's true UTC). */
  timeOf?: () => number;
}

export interface Sht3xOptions extends SimulatedSensorOptions {
  id?: string;
  temperature?: Signal;
  humidity?: Signal;
  /** Standard deviation-ish amplitude of uniform noise (°C, %RH). */
  noise?: { temperature?: number; humidity?: number };
}

export interface Bmp280Options extends SimulatedSensorOptions {
  id?: string;
  pressure?: Signal;
  temperature?: Signal;
  noise?: { pressure?: number; temperature?: number };
}

export interface SimulatedSensor extends SensorPort {
  /** Number of sample() calls (including failed ones). */
  readonly samples: number;
}

// SHT3x datasheet section 4.13: T = -45 + 175 * raw / 65535, RH = 100 * raw / 65535.
const sht3xTemperature = (c: number): number => -45 + (175 * quantise((c + 45) / 175)) / 65535;
const sht3xHumidity = (rh: number): number => (100 * quantise(rh / 100)) / 65535;
const quantise = (fraction: number): number => Math.round(Math.min(1, Math.max(0, fraction)) * 65535);
// BMP280: the compensated pressure is Q24.8 Pa, the temperature has 0.01 °C steps.
const bmpPressure = (pa: number): number => Math.round(pa * 256) / 256;
const bmpTemperature = (c: number): number => Math.round(c * 100) / 100;

function noiseOf(random: RandomPort | undefined, amplitude: number | undefined): number {
  if (random === undefined || amplitude === undefined || amplitude === 0) return 0;
  return (random.next() * 2 - 1) * amplitude;
}

function makeSensor(id: string, options: SimulatedSensorOptions, read: (t: number) => SensorSample): SimulatedSensor {
  let samples = 0;
  const timeOf = options.timeOf ?? (() => options.clock.wallMs());
  return {
    id,
    sample() {
      samples++;
      const t = timeOf();
      if (options.faults?.busError?.(t) === true) throw new Error(`${id}: I2C bus error (simulated)`);
      if (options.faults?.notReady?.(t) === true) return undefined;
      return read(t);
    },
    get samples() {
      return samples;
    },
  };
}

export function createSht3xSim(options: Sht3xOptions): SimulatedSensor {
  const temperature = options.temperature ?? constant(21.5);
  const humidity = options.humidity ?? constant(45);
  const crc = options.faults?.crcError;
  return makeSensor(options.id ?? 'sht3x', options, (t) => {
    const sample: SensorSample = {};
    if (crc?.(t, 'temperature') !== true) {
      sample.thermometer = { temperature: sht3xTemperature(temperature(t) + noiseOf(options.random, options.noise?.temperature)) };
    }
    if (crc?.(t, 'humidity') !== true) {
      sample.hygrometer = { humidity: sht3xHumidity(humidity(t) + noiseOf(options.random, options.noise?.humidity)) };
    }
    return sample;
  });
}

export function createBmp280Sim(options: Bmp280Options): SimulatedSensor {
  const pressure = options.pressure ?? constant(101_325);
  const temperature = options.temperature ?? constant(21.5);
  const crc = options.faults?.crcError;
  return makeSensor(options.id ?? 'bmp280', options, (t) => {
    const sample: SensorSample = {};
    if (crc?.(t, 'pressure') !== true) {
      sample.barometer = { pressure: bmpPressure(pressure(t) + noiseOf(options.random, options.noise?.pressure)) };
    }
    if (crc?.(t, 'temperature') !== true) {
      sample.thermometer = { temperature: bmpTemperature(temperature(t) + noiseOf(options.random, options.noise?.temperature)) };
    }
    return sample;
  });
}
