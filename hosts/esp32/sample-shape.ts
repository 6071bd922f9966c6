/**
 * ECMA-419 sensor samples as the core's SensorSample: the grouped shape
 * ({ thermometer: { temperature }, hygrometer: { humidity }, barometer: { pressure } }) that
 * Moddable's current drivers return, and the flat one ({ temperature, humidity }) of older
 * drivers. A field that is missing or not a finite number (SHT3x leaves out a field whose CRC
 * failed) is left out, so the core records that quantity as missing for this wake.
 */
import type { SensorSample } from '../esp32-core.js';

export interface SampleScale {
  /** Multiplies the driver's humidity to get %RH (1 for drivers that report percent). */
  humidity?: number;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function field(raw: Record<string, unknown>, group: string, name: string): number | undefined {
  const g = raw[group];
  if (typeof g === 'object' && g !== null) {
    const v = finite((g as Record<string, unknown>)[name]);
    if (v !== undefined) return v;
  }
  return finite(raw[name]);
}

/** undefined when the driver had no data ready (BME68x); otherwise a fresh sample object. */
export function normalizeSample(raw: unknown, scale: SampleScale = {}): SensorSample | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const out: SensorSample = {};
  const temperature = field(r, 'thermometer', 'temperature');
  if (temperature !== undefined) out.thermometer = { temperature };
  const humidity = field(r, 'hygrometer', 'humidity');
  if (humidity !== undefined) out.hygrometer = { humidity: humidity * (scale.humidity ?? 1) };
  const pressure = field(r, 'barometer', 'pressure');
  if (pressure !== undefined) out.barometer = { pressure };
  return out;
}
