import { describe, expect, it } from 'vitest';
import type { SensorDriverClass } from '../../hosts/esp32/moddable-types.js';
import { normalizeSample } from '../../hosts/esp32/sample-shape.js';
import { createDriverSensor, type SensorKind } from '../../hosts/esp32/sensors.js';
import { checkSampleShape, describeSensorContract } from '../contract/sensors.js';

/** A driver class as modules/drivers/sensors writes them: options.sensor, configure, sample. */
function driver(samples: () => unknown, opened: Array<Record<string, unknown>> = [], configured: Array<Record<string, unknown>> = [], failOpen = 0): SensorDriverClass {
  let failures = failOpen;
  return class {
    constructor(options: { sensor: Record<string, unknown> }) {
      if (failures-- > 0) throw new Error('unexpected sensor');
      opened.push(options);
    }
    configure(o: Record<string, unknown>) { configured.push(o); }
    sample() { return samples(); }
    close() {}
  } as unknown as SensorDriverClass;
}

const bus = { data: 4, clock: 5 };
const none = driver(() => undefined);
const drivers = (kind: SensorKind, d: SensorDriverClass) => ({ sht3x: none, bmp280: none, bme68x: none, [kind]: d });

describeSensorContract('ESP32 SHT3x (ECMA-419 driver)', () => createDriverSensor({ id: 'sht3x', kind: 'sht3x' }, {
  drivers: drivers('sht3x', driver(() => ({ thermometer: { temperature: 21.5 }, hygrometer: { humidity: 40.25 } }))), io: 'SMBus', bus, delay: () => undefined,
}), { groups: ['thermometer', 'hygrometer'] });

describeSensorContract('ESP32 BMP280 (ECMA-419 driver)', () => createDriverSensor({ id: 'bmp280', kind: 'bmp280' }, {
  drivers: drivers('bmp280', driver(() => ({ barometer: { pressure: 101_325 }, thermometer: { temperature: 20.1 } }))), io: 'SMBus', bus, delay: () => undefined,
}), { groups: ['thermometer', 'barometer'] });

describe('ESP32 sensors', () => {
  it('opens the driver at the first sample with the bus in options.sensor (and at the top level for older drivers)', () => {
    const opened: Array<Record<string, unknown>> = [];
    const sensor = createDriverSensor({ id: 't', kind: 'sht3x', address: 0x45 }, {
      drivers: drivers('sht3x', driver(() => ({ thermometer: { temperature: 1 } }), opened)), io: 'SMBus', bus: { ...bus, port: 1 }, delay: () => undefined,
    });
    expect(opened).toEqual([]);
    sensor.sample();
    sensor.sample();
    expect(opened).toEqual([{ io: 'SMBus', data: 4, clock: 5, port: 1, address: 0x45, sensor: { io: 'SMBus', data: 4, clock: 5, port: 1, address: 0x45 } }]);
  });

  it('runs the BMP280 in forced mode: one measurement per sample, asleep between wakes', () => {
    const configured: Array<Record<string, unknown>> = [];
    const delays: number[] = [];
    const sensor = createDriverSensor({ id: 'p', kind: 'bmp280' }, {
      drivers: drivers('bmp280', driver(() => ({ barometer: { pressure: 100_000 } }), [], configured)), io: 'SMBus', bus, delay: (ms) => delays.push(ms),
    });
    sensor.sample();
    expect(configured).toEqual([{ mode: 1 }]);
    expect(delays[0]).toBeGreaterThanOrEqual(40);
  });

  it('names a sensor that is not on the bus with ERR_SENSOR, and opens it when it comes back', () => {
    const sensor = createDriverSensor({ id: 'h', kind: 'sht3x' }, {
      drivers: drivers('sht3x', driver(() => ({ hygrometer: { humidity: 50 } }), [], [], 1)), io: 'SMBus', bus, delay: () => undefined,
    });
    expect(() => sensor.sample()).toThrow(expect.objectContaining({ code: 'ERR_SENSOR', message: expect.stringMatching(/h \(sht3x\) did not open: unexpected sensor/) }));
    expect(sensor.sample()).toEqual({ hygrometer: { humidity: 50 } });
  });

  it('passes "no data yet" (BME68x) on as undefined and scales humidity when told', () => {
    let ready = false;
    const sensor = createDriverSensor({ id: 'bme', kind: 'bme68x', humidityScale: 100 }, {
      drivers: drivers('bme68x', driver(() => (ready ? { thermometer: { temperature: 22 }, hygrometer: { humidity: 0.41 }, barometer: { pressure: 99_000 } } : undefined))), io: 'SMBus', bus, delay: () => undefined,
    });
    expect(sensor.sample()).toBeUndefined();
    ready = true;
    const sample = sensor.sample()!;
    checkSampleShape(sample);
    expect(sample.hygrometer!.humidity).toBeCloseTo(41);
  });
});

describe('normalizeSample', () => {
  it('takes the grouped ECMA-419 shape and the flat one of older drivers', () => {
    expect(normalizeSample({ thermometer: { temperature: 20 }, hygrometer: { humidity: 50 } })).toEqual({ thermometer: { temperature: 20 }, hygrometer: { humidity: 50 } });
    expect(normalizeSample({ temperature: 20, humidity: 50, pressure: 1e5 })).toEqual({ thermometer: { temperature: 20 }, hygrometer: { humidity: 50 }, barometer: { pressure: 1e5 } });
  });

  it('leaves out a field that is missing or not a finite number (SHT3x after a CRC failure)', () => {
    expect(normalizeSample({ thermometer: { temperature: Number.NaN }, hygrometer: { humidity: 40 } })).toEqual({ hygrometer: { humidity: 40 } });
    expect(normalizeSample({ thermometer: {}, hygrometer: { humidity: '40' } })).toEqual({});
    expect(normalizeSample(42)).toEqual({});
    expect(normalizeSample(null)).toBeUndefined();
  });

  it('returns a fresh object each time', () => {
    const raw = { thermometer: { temperature: 1 } };
    const a = normalizeSample(raw)!;
    a.thermometer!.temperature = 99;
    expect(normalizeSample(raw)).toEqual({ thermometer: { temperature: 1 } });
  });
});
