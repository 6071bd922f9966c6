/**
 * SensorPorts over Moddable's ECMA-419 sensor drivers on I2C (modules/drivers/sensors): SHT3x,
 * BMP280 and BME68x. The driver is opened at the first sample (a preloaded module must not touch
 * the bus) and again after a failed open, so a sensor plugged in late, or one that was briefly
 * off the bus, comes back without a reboot.
 */
import { FirmwareError, type SensorPort } from '../esp32-core.js';
import type { SensorDriverClass, SensorDriverInstance } from './moddable-types.js';
import { normalizeSample } from './sample-shape.js';

export type SensorKind = 'sht3x' | 'bmp280' | 'bme68x';

export interface SensorConfig {
  /** SensorPort id, named by the node config's channels (e.g. "sht3x"). */
  id: string;
  kind: SensorKind;
  /** I2C address when not the driver's default (SHT3x 0x44, BMP280 0x76, BME68x 0x77). */
  address?: number;
  hz?: number;
  /** Multiplies the driver's humidity to get %RH (see sample-shape.ts). */
  humidityScale?: number;
}

export interface I2cBus {
  data: number;
  clock: number;
  port?: number;
}

/** BMP280 ctrl_meas mode "forced": one measurement, then the chip sleeps between wakes. */
const BMP280_FORCED = 1;
/** Time for one BMP280 measurement at the driver's oversampling (x2 temperature, x16 pressure). */
const BMP280_MEASURE_MS = 45;

export interface SensorFactoryOptions {
  drivers: Readonly<Record<SensorKind, SensorDriverClass>>;
  /** The bus class the drivers open (device.io.SMBus). */
  io: unknown;
  bus: I2cBus;
  /** Blocking delay (Timer.delay). */
  delay: (ms: number) => void;
}

export function createDriverSensor(config: SensorConfig, o: SensorFactoryOptions): SensorPort {
  const Driver = o.drivers[config.kind];
  if (Driver === undefined) throw new FirmwareError('ERR_CONFIG_INVALID', `sensor ${config.id}: unknown kind "${String(config.kind)}"`);
  let driver: SensorDriverInstance | undefined;
  const bus: Record<string, unknown> = { io: o.io, data: o.bus.data, clock: o.bus.clock };
  if (o.bus.port !== undefined) bus['port'] = o.bus.port;
  if (config.address !== undefined) bus['address'] = config.address;
  if (config.hz !== undefined) bus['hz'] = config.hz;

  function open(): SensorDriverInstance {
    if (driver !== undefined) return driver;
    try {
      // `sensor` is the ECMA-419 shape; the same keys at the top level serve older drivers
      // that read options.io directly.
      driver = new Driver({ ...bus, sensor: { ...bus } });
    } catch (error) {
      throw new FirmwareError('ERR_SENSOR', `${config.id} (${config.kind}) did not open: ${(error as Error).message}`);
    }
    return driver;
  }

  return Object.freeze({
    id: config.id,
    sample() {
      const d = open();
      if (config.kind === 'bmp280') {
        // The driver leaves the chip measuring continuously; a forced measurement per sample
        // lets it sleep between wakes.
        d.configure({ mode: BMP280_FORCED });
        o.delay(BMP280_MEASURE_MS);
      }
      return normalizeSample(d.sample(), config.humidityScale === undefined ? {} : { humidity: config.humidityScale });
    },
  });
}
