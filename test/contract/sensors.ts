import { describe, expect, it } from 'vitest';
import type { SensorPort, SensorSample } from '../../firmware/index.js';
import type { MaybeAsync } from './async.js';

/**
 * Contract of a SensorPort (firmware/ports/sensors.ts): ECMA-419 sample shapes in SI-ish units
 * (°C, %RH, Pa) within the physical range of the parts we support.
 */
const RANGES = {
  thermometer: { temperature: [-45, 130] },
  hygrometer: { humidity: [0, 100] },
  barometer: { pressure: [30_000, 110_000] },
} as const;

export function checkSampleShape(sample: SensorSample): void {
  expect(typeof sample).toBe('object');
  for (const [group, value] of Object.entries(sample)) {
    expect(Object.keys(RANGES), `unknown group ${group}`).toContain(group);
    const fields = RANGES[group as keyof typeof RANGES] as Record<string, readonly [number, number]>;
    expect(typeof value).toBe('object');
    for (const [field, reading] of Object.entries(value as Record<string, unknown>)) {
      const range = fields[field];
      expect(range, `unknown field ${group}.${field}`).toBeDefined();
      expect(typeof reading).toBe('number');
      expect(Number.isFinite(reading)).toBe(true);
      expect(reading as number).toBeGreaterThanOrEqual(range![0]);
      expect(reading as number).toBeLessThanOrEqual(range![1]);
    }
  }
}

export interface SensorContractOptions {
  /** Groups this sensor must deliver when healthy, e.g. ['thermometer', 'hygrometer']. */
  groups: ReadonlyArray<keyof SensorSample>;
}

export function describeSensorContract(name: string, factory: () => SensorPort | MaybeAsync<SensorPort> | Promise<SensorPort | MaybeAsync<SensorPort>>, options: SensorContractOptions): void {
  describe(`SensorPort contract: ${name}`, () => {
    it('has a stable id usable in SenML names', async () => {
      const sensor = await factory();
      expect(sensor.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9\-:._/]*$/);
      expect(sensor.id).toBe(sensor.id);
    });

    it('samples the promised groups in range, again and again', async () => {
      const sensor = await factory();
      for (let i = 0; i < 5; i++) {
        const sample = await sensor.sample();
        expect(sample).toBeDefined();
        checkSampleShape(sample!);
        for (const group of options.groups) expect(sample![group], `${group} missing`).toBeDefined();
      }
    });

    it('returns a fresh object each time (the core may keep it)', async () => {
      const sensor = await factory();
      const a = await sensor.sample();
      const b = await sensor.sample();
      expect(a).not.toBe(b);
    });
  });
}
