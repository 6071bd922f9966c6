import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../sim/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await main(args, { out: (s) => { out += s; }, err: (s) => { err += s; }, isTTY: false });
  return { status, out, err };
}

const JSON_KEYS = [
  'devices', 'virtualHours', 'wallSeconds', 'cycles', 'messages', 'bytes', 'baselineMessages', 'baselineBytes', 'readingsLost', 'duplicates',
  'alarmsRaised', 'alarmsDelivered', 'alarmLatencyP95Seconds', 'rollout', 'batteryDaysMedian', 'thunderingHerd',
];

describe('npm run sim', () => {
  it('--json prints the result as one JSON object on the last line, with a trace and faults', async () => {
    const trace = join(dir, 'room.csv');
    writeFileSync(trace, [
      'time,temperature,humidity,pressure[hPa]',
      '2026-03-01T00:00:00Z,19.0,50,1013.2',
      '2026-03-01T06:00:00Z,18.0,55,1012.0',
      '2026-03-01T12:00:00Z,31.5,40,1010.5',
      '2026-03-01T14:00:00Z,24.0,45,1010.0',
      '2026-03-01T23:59:00Z,19.5,50,1013.0',
    ].join('\n'));
    const r = await cli(['--mode', 'logic', '--devices', '12', '--hours', '30', '--trace', trace, '--trace-spread', '2h', '--trace-noise', 'temperature=0.05',
      '--fault', 'broker-outage@3h+1h', '--fault', 'power-cut:dev-0004@5h', '--battery', '18650', '--seed', '9', '--json', '--no-report', '--quiet']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    const lines = r.out.trim().split('\n');
    const json = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    for (const k of JSON_KEYS) expect(json, k).toHaveProperty(k);
    expect(json).toMatchObject({ devices: 12, virtualHours: 30, readingsLost: 0, mode: 'logic', trace: trace, battery: '18650 Li-ion', powerCuts: 1 });
    expect(json['faults']).toEqual(['broker-outage@3h+1h', 'power-cut:dev-0004@5h']);
    expect((json['thunderingHerd'] as { withoutJitterPeak: number }).withoutJitterPeak).toBeGreaterThan(0);
    // The trace crosses the 30 °C alarm at noon, twice in 30 hours.
    expect(json['alarmsRaised'] as number).toBeGreaterThanOrEqual(12);
    expect(r.out).toContain('naive JSON baseline');
  }, 120_000);

  it('replays a trace older than 2024 from the default start day, at its own time of day', async () => {
    const old = join(dir, 'old.csv');
    writeFileSync(old, 'timestamp,Temperature (°C)\n2019-06-01T06:30:00Z,18\n2019-06-01T12:30:00Z,26\n2019-06-01T18:30:00Z,20\n');
    const r = await cli(['--mode', 'logic', '--devices', '3', '--hours', '4', '--trace', old, '--json', '--no-report', '--quiet', '--no-herd']);
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/trace starts before 2024.*2026-01-05T06:30:00\.000Z/);
    const json = JSON.parse(r.out.trim().split('\n').pop()!) as { readingsProduced: number; readingsLost: number };
    expect(json.readingsProduced).toBeGreaterThan(3 * 4 * 3);
    expect(json.readingsLost).toBe(0);
  }, 60_000);

  it('writes the HTML report and prints its path', async () => {
    const r = await cli(['--mode', 'logic', '--devices', '3', '--hours', '2', '--report', join(dir, 'reports'), '--quiet', '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.out.trim().split('\n').pop()!) as { report: string };
    expect(json.report).toMatch(/reports\/sim-.*\.html$/);
    expect(r.out).toContain(`report: ${json.report}`);
  }, 60_000);

  it('refuses bad options with a clear message and status 2', async () => {
    const bad = async (args: string[], message: RegExp): Promise<void> => {
      const r = await cli([...args, '--quiet', '--no-report']);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
    };
    await bad(['--fault', 'meteor@1h'], /unknown fault "meteor"/);
    await bad(['--fault', 'broker-outage@1h'], /needs a duration/);
    await bad(['--devices', '0'], /--devices must be an integer/);
    await bad(['--engine', 'v8'], /Allowed choices are node, xs/);
    await bad(['--battery', 'potato'], /unknown battery/);
    await bad(['--trace', join(dir, 'missing.csv')], /--trace .*missing\.csv: ENOENT/);
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'time,temperature\n2026-03-01T00:00:00Z,19\n2026-03-01T00:10:00Z,warm\n');
    await bad(['--trace', broken], /broken\.csv:3: bad temperature value "warm"/);
    await bad(['--mode', 'logic', '--fault', 'release@1h'], /full mode/);
  }, 60_000);
});
