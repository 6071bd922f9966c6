import { describe, expect, it } from 'vitest';
import { interpolate, parseIsoUtc, parseTrace, TraceError, traceTimeAt, traceValue } from '../../sim/inputs/trace.js';
import { traceInputs } from '../../sim/inputs/models.js';

const T = (iso: string): number => Date.parse(iso);

describe('trace parsing', () => {
  it('reads the header, ISO times and values at any spacing', () => {
    const trace = parseTrace([
      'time,temperature,humidity,pressure',
      '2026-01-05T00:00:00Z,20.0,40,101325',
      '2026-01-05T00:10:00Z,22.0,44,101300',
      '2026-01-05T01:00:00.500Z,21.0,42,101200',
    ].join('\n'), 'room.csv');
    expect(trace.sensors).toEqual(['temperature', 'humidity', 'pressure']);
    expect(trace.rows).toBe(3);
    expect(trace.startMs).toBe(T('2026-01-05T00:00:00Z'));
    expect(trace.endMs).toBe(T('2026-01-05T01:00:00.500Z'));
    expect(trace.warnings).toEqual([]);
  });

  it('interpolates linearly between rows and holds the end values outside', () => {
    const trace = parseTrace('time,temperature\n2026-01-05T00:00:00Z,20\n2026-01-05T00:10:00Z,22\n2026-01-05T00:30:00Z,18\n');
    const col = trace.columns.temperature!;
    expect(interpolate(col, T('2026-01-05T00:05:00Z'))).toBeCloseTo(21, 12);
    expect(interpolate(col, T('2026-01-05T00:20:00Z'))).toBeCloseTo(20, 12);
    expect(interpolate(col, T('2026-01-05T00:10:00Z'))).toBe(22);
    expect(interpolate(col, T('2026-01-04T00:00:00Z'))).toBe(20);
    expect(interpolate(col, T('2026-01-06T00:00:00Z'))).toBe(18);
  });

  it('loops a replay longer than the trace, with an offset', () => {
    const trace = parseTrace('time,temperature\n2026-01-05T00:00:00Z,0\n2026-01-05T01:00:00Z,60\n');
    expect(traceTimeAt(trace, 90 * 60_000)).toBe(T('2026-01-05T00:30:00Z'));
    expect(traceValue(trace, 'temperature', 90 * 60_000)).toBeCloseTo(30, 12);
    expect(traceValue(trace, 'temperature', -15 * 60_000)).toBeCloseTo(45, 12);
    expect(traceValue(trace, 'humidity', 0)).toBeUndefined();
    const runStart = T('2030-06-01T00:00:00Z');
    const inputs = traceInputs(trace, { runStartMs: runStart, offsetMs: 10 * 60_000, seed: 1 });
    expect(inputs.sample(runStart + 5 * 60_000).temperature).toBeCloseTo(15, 12);
  });

  it('adds per-device gaussian noise around the trace, deterministic per seed', () => {
    const trace = parseTrace('time,temperature\n2026-01-05T00:00:00Z,20\n2026-01-05T01:00:00Z,20\n');
    const a = traceInputs(trace, { runStartMs: 0, seed: 7, noise: { temperature: 0.5 } });
    const b = traceInputs(trace, { runStartMs: 0, seed: 7, noise: { temperature: 0.5 } });
    const xs = Array.from({ length: 2000 }, (_, i) => a.sample(i * 1000).temperature!);
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, (_, i) => b.sample(i * 1000).temperature!));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(20, 1);
    expect(sd).toBeGreaterThan(0.4);
    expect(sd).toBeLessThan(0.6);
  });


  it('converts units named in the header and recognises hPa', () => {
    const named = parseTrace('time,temperature[F],pressure (hPa)\n2026-01-05T00:00:00Z,212,1013.25\n');
    expect(named.columns.temperature!.values[0]).toBeCloseTo(100, 10);
    expect(named.columns.pressure!.values[0]).toBeCloseTo(101_325, 6);
    const guessed = parseTrace('time,pressure\n2026-01-05T00:00:00Z,1013\n2026-01-05T01:00:00Z,1012\n');
    expect(guessed.columns.pressure!.values[0]).toBe(101_300);
    expect(guessed.warnings.join()).toMatch(/hPa/);
    const ignored = parseTrace('Timestamp,Temperature (°C),co2\n2026-01-05T00:00:00Z,20,400\n');
    expect(ignored.columns.temperature!.values[0]).toBe(20);
    expect(ignored.warnings.join()).toMatch(/co2.*ignored/);
  });

  it('parses ISO 8601 UTC times and offsets, and refuses impossible dates', () => {
    expect(parseIsoUtc('2026-01-05T12:00:00Z')).toBe(T('2026-01-05T12:00:00Z'));
    expect(parseIsoUtc('2026-01-05T12:00:00.25Z')).toBe(T('2026-01-05T12:00:00.250Z'));
    expect(parseIsoUtc('2026-01-05T13:30:00+01:30')).toBe(T('2026-01-05T12:00:00Z'));
    expect(parseIsoUtc('2026-01-05T12:00')).toBe(T('2026-01-05T12:00:00Z'));
    expect(parseIsoUtc('2026-02-30T00:00:00Z')).toBeUndefined();
    expect(parseIsoUtc('2026-13-01T00:00:00Z')).toBeUndefined();
    expect(parseIsoUtc('05/01/2026 12:00')).toBeUndefined();
    expect(parseIsoUtc('1767614400')).toBeUndefined();
  });
});

describe('trace errors name the line', () => {
  const fails = (text: string, line: number, message: RegExp): void => {
    let error: unknown;
    try {
      parseTrace(text, 'bad.csv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TraceError);
    expect((error as TraceError).line).toBe(line);
    expect((error as TraceError).message).toMatch(/^bad\.csv:\d+: /);
    expect((error as TraceError).message).toMatch(message);
  };

  it('empty file, missing time column, no sensor, unknown unit, duplicate sensor', () => {
    fails('', 1, /empty trace/);
    fails('\n\n# only a comment\n', 3, /empty trace/);
    fails('temperature,time\n2026-01-05T00:00:00Z,1\n', 1, /first column must be "time"/);
    fails('time,co2\n2026-01-05T00:00:00Z,400\n', 1, /no sensor column/);
    fails('time,temperature[furlong]\n2026-01-05T00:00:00Z,1\n', 1, /unknown unit/);
    fails('time,temp,temperature\n2026-01-05T00:00:00Z,1,2\n', 1, /appears twice/);
    fails('time,temperature\n', 1, /no data rows/);
  });

  it('bad time, bad number, wrong cell count, rows out of order, open quote', () => {
    fails('time,temperature\n2026-01-05T00:00:00Z,20\nyesterday,21\n', 3, /bad time "yesterday"/);
    fails('time,temperature\n2026-01-05T00:00:00Z,20\n2026-01-05T00:10:00Z,2O.5\n', 3, /bad temperature value "2O.5"/);
    fails('time,temperature,humidity\n2026-01-05T00:00:00Z,20\n', 2, /2 cells, the header has 3/);
    fails('time,temperature\n2026-01-05T00:00:00Z,20,1,2\n', 2, /4 cells/);
    fails('time,temperature\n2026-01-05T00:10:00Z,20\n2026-01-05T00:00:00Z,21\n', 3, /not after the previous row/);
    fails('time,temperature\n2026-01-05T00:10:00Z,20\n2026-01-05T00:10:00Z,21\n', 3, /time order/);
    fails('time,temperature\n"2026-01-05T00:10:00Z,20\n', 2, /unterminated quote/);
    fails('\uFEFF# x\r\ntime,"Temp",RH\r\n\r\n"2026-01-05 00:00:00Z",20.5,\r\n2026-01-05T00:10:00+01:00,21.5,50,\r\n', 5, /time order/);
  });
});

describe('trace leniency', () => {
  it('tolerates CRLF, a BOM, comments, blank lines, quoted cells, empty cells and a trailing comma', () => {
    const trace = parseTrace('\uFEFF# exported\r\ntime,"Temp",RH\r\n\r\n"2026-01-05 00:00:00Z",20.5,\r\n2026-01-05T01:10:00+01:00,21.5,50,\r\n');
    expect(trace.sensors).toEqual(['temperature', 'humidity']);
    expect(trace.rows).toBe(2);
    expect(trace.columns.humidity!.times.length).toBe(1);
    expect(trace.columns.temperature!.values[1]).toBe(21.5);
    expect(trace.endMs).toBe(T('2026-01-05T00:10:00Z'));
  });
});

describe('the example trace', () => {
  it('sim/traces/office.csv parses cleanly: two days at 10-minute spacing, crossing the 30 °C alarm', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../sim/traces/office.csv', import.meta.url), 'utf8');
    const trace = parseTrace(text, 'office.csv');
    expect(trace.warnings).toEqual([]);
    expect(trace.sensors).toEqual(['temperature', 'humidity', 'pressure']);
    expect(trace.endMs - trace.startMs).toBe(48 * 3_600_000);
    expect(Math.max(...trace.columns.temperature!.values)).toBeGreaterThan(30);
    expect(trace.columns.pressure!.values[0]).toBeCloseTo(101_600, -1);
  });
});
