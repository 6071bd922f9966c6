import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../hosts/node/random.js';
import { describeFault, FaultSpecError, parseDuration, parseFault, selectDevices } from '../../sim/faults.js';

const H = 3_600_000;

describe('fault specs', () => {
  it('parses every kind with its time, duration and target', () => {
    expect(parseFault('broker-outage@10h+2h')).toEqual({ kind: 'broker-outage', atMs: 10 * H, durationMs: 2 * H });
    expect(parseFault('wifi-loss:dev-0007@3h+6h')).toEqual({ kind: 'wifi-loss', target: { kind: 'device', id: 'dev-0007' }, atMs: 3 * H, durationMs: 6 * H });
    expect(parseFault('server-outage@20h+1h')).toEqual({ kind: 'server-outage', atMs: 20 * H, durationMs: H });
    expect(parseFault('power-cut:5%@30h')).toEqual({ kind: 'power-cut', target: { kind: 'percent', percent: 5 }, atMs: 30 * H, durationMs: 0 });
    expect(parseFault('power-cut:all@1h+10m')).toEqual({ kind: 'power-cut', target: { kind: 'all' }, atMs: H, durationMs: 600_000 });
    expect(parseFault('clock-drift:50ppm')).toEqual({ kind: 'clock-drift', target: { kind: 'all' }, ppm: 50 });
    expect(parseFault('clock-drift:dev-0001:-200ppm')).toEqual({ kind: 'clock-drift', target: { kind: 'device', id: 'dev-0001' }, ppm: -200 });
    expect(parseFault('bad-release@30h')).toEqual({ kind: 'bad-release', atMs: 30 * H });
    expect(parseFault('release@6h')).toEqual({ kind: 'release', atMs: 6 * H });
  });

  it('durations: units, combinations, bare hours', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(48 * H);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('12')).toBe(12 * H);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('soon')).toThrow(FaultSpecError);
    expect(() => parseDuration('')).toThrow(FaultSpecError);
  });

  it('refuses malformed specs with a message that says what to write', () => {
    expect(() => parseFault('meteor@1h')).toThrow(/unknown fault "meteor".*known are/);
    expect(() => parseFault('broker-outage@10h')).toThrow(/needs a duration/);
    expect(() => parseFault('broker-outage')).toThrow(/needs a time/);
    expect(() => parseFault('broker-outage:dev-1@1h+1h')).toThrow(/takes no target/);
    expect(() => parseFault('wifi-loss@1h+1h')).toThrow(/name the devices/);
    expect(() => parseFault('wifi-loss:0%@1h+1h')).toThrow(/percentage/);
    expect(() => parseFault('wifi-loss:bad id@1h+1h')).toThrow(/bad target/);
    expect(() => parseFault('clock-drift:fast')).toThrow(/50ppm/);
    expect(() => parseFault('clock-drift:50ppm@1h')).toThrow(/whole run/);
    expect(() => parseFault('broker-outage@1h+0s')).toThrow(/positive/);
  });

  it('describes a fault back in the same grammar', () => {
    for (const s of ['broker-outage@10h+2h', 'wifi-loss:dev-0007@3h+6h', 'power-cut:5%@30h', 'power-cut:all@1h+10m', 'clock-drift:50ppm', 'bad-release@30h']) {
      expect(describeFault(parseFault(s))).toBe(s);
    }
  });

  it('selects targets deterministically for a seed', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `dev-${String(i).padStart(4, '0')}`);
    const a = selectDevices({ kind: 'percent', percent: 5 }, ids, createSeededRandom(3));
    expect(a).toHaveLength(10);
    expect(selectDevices({ kind: 'percent', percent: 5 }, ids, createSeededRandom(3))).toEqual(a);
    expect(new Set(a).size).toBe(10);
    expect(selectDevices({ kind: 'device', id: 'dev-0007' }, ids, createSeededRandom(1))).toEqual(['dev-0007']);
    expect(() => selectDevices({ kind: 'device', id: 'dev-9999' }, ids, createSeededRandom(1))).toThrow(/no device dev-9999/);
    expect(selectDevices({ kind: 'all' }, ids, createSeededRandom(1))).toHaveLength(200);
  });
});
