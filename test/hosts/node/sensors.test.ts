import { describe, expect, it } from 'vitest';
import { createBmp280Sim, createManualClock, createSeededRandom, createSht3xSim, ramp, sine, steps, sum, constant } from '../../../hosts/node/index.js';
import { checkSampleShape, describeSensorContract } from '../../contract/sensors.js';

describeSensorContract('simulated SHT3x', () => createSht3xSim({ clock: createManualClock(), random: createSeededRandom(1), noise: { temperature: 0.1, humidity: 0.5 } }), { groups: ['thermometer', 'hygrometer'] });
describeSensorContract('simulated BMP280', () => createBmp280Sim({ clock: createManualClock(), random: createSeededRandom(2), noise: { pressure: 5 } }), { groups: ['barometer', 'thermometer'] });

describe('simulated sensors', () => {
  it('follow their signal over time, quantised like the SHT3x registers', () => {
    const clock = createManualClock({ utcMs: 0 });
    const sensor = createSht3xSim({ clock, temperature: ramp(0, 20, 1000, 30), humidity: constant(50) });
    const first = sensor.sample()!;
    expect(first.thermometer!.temperature).toBeCloseTo(20, 2);
    expect(first.hygrometer!.humidity).toBeCloseTo(50, 2);
    // Quantised: 175/65535 °C steps, so 20 is not exact.
    const raw = ((first.thermometer!.temperature! + 45) * 65535) / 175;
    expect(Math.abs(raw - Math.round(raw))).toBeLessThan(1e-6);
    expect(first.thermometer!.temperature).not.toBe(20);
    clock.advance(1000);
    expect(sensor.sample()!.thermometer!.temperature).toBeCloseTo(30, 2);
  });
  it('BMP280 reports pressure in Pa', () => {
    const sensor = createBmp280Sim({ clock: createManualClock(), pressure: constant(100_000.3) });
    const s = sensor.sample()!;
    checkSampleShape(s);
    expect(s.barometer!.pressure).toBeCloseTo(100_000.3, 1);
  });
  it('injects bus errors, CRC failures (missing field) and not-ready', () => {
    const clock = createManualClock({ utcMs: 0 });
    const sensor = createSht3xSim({
      clock,
      faults: {
        busError: (t) => t === 1000,
        crcError: (t, field) => t === 2000 && field === 'humidity',
        notReady: (t) => t === 3000,
      },
    });
    clock.advance(1000);
    expect(() => sensor.sample()).toThrow(/bus error/);
    clock.advance(1000);
    const s = sensor.sample()!;
    expect(s.thermometer).toBeDefined();
    expect(s.hygrometer).toBeUndefined();
    clock.advance(1000);
    expect(sensor.sample()).toBeUndefined();
    expect(sensor.samples).toBe(3);
  });
  it('the same seed gives the same noisy samples', () => {
    const make = () => createSht3xSim({ clock: createManualClock(), random: createSeededRandom(7), noise: { temperature: 0.3 } });
    const a = make();
    const b = make();
    for (let i = 0; i < 5; i++) expect(a.sample()).toEqual(b.sample());
  });
});

describe('signals', () => {
  it('sine peaks at peakAtMs and repeats each period', () => {
    const s = sine({ mean: 20, amplitude: 5, periodMs: 1000, peakAtMs: 250 });
    expect(s(250)).toBeCloseTo(25);
    expect(s(750)).toBeCloseTo(15);
    expect(s(1250)).toBeCloseTo(25);
  });
  it('steps hold the last value; ramp interpolates; sum adds', () => {
    const st = steps([[100, 1], [0, 0], [200, 2]]);
    expect([st(-5), st(0), st(150), st(500)]).toEqual([0, 0, 1, 2]);
    expect(() => steps([])).toThrow();
    const r = ramp(0, 0, 10, 100);
    expect([r(-1), r(5), r(11)]).toEqual([0, 50, 100]);
    expect(sum(constant(1), constant(2))(0)).toBe(3);
  });
});
