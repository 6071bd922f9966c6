/**
 * Sensors in the shape of ECMA-419 sensor classes: `sample()` returns groups such as
 * `{ thermometer: { temperature } }`, `{ hygrometer: { humidity } }`, `{ barometer: { pressure } }`.
 * A missing group or field means that quantity was not read this time (e.g. a CRC failure).
 */
export interface ThermometerSample { temperature?: number }
export interface HygrometerSample { humidity?: number }
export interface BarometerSample { pressure?: number }

export interface SensorSample {
  thermometer?: ThermometerSample;
  hygrometer?: HygrometerSample;
  barometer?: BarometerSample;
}

export interface SensorPort {
  /** Stable name used in config and SenML record names, e.g. "sht3x". */
  readonly id: string;
  /** Undefined when no data is ready (BME68x) ; throws on a bus error. */
  sample(): SensorSample | undefined;
}

/** Quantities the framework knows, with their SenML unit (RFC 8428 section 12.1). */
export type Quantity = 'temperature' | 'humidity' | 'pressure' | 'battery';
export const QUANTITY_UNIT: Readonly<Record<Quantity, string>> = {
  temperature: 'Cel',
  humidity: '%RH',
  pressure: 'Pa',
  battery: 'V',
};
