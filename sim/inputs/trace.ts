/**
 * Sensor traces from CSV files: what a device's sensors read, replayed on the virtual clock.
 *
 * Format (docs/sim.md):
 *   time,temperature,humidity,pressure        header: `time` first (or timestamp, datetime), then any of the sensors
 *   2026-01-05T00:00:00Z,21.4,45.0,101325      ISO 8601 time (UTC, or with an offset), values
 *   2026-01-05T00:10:00Z,21.9,,101290          an empty cell: no value there (interpolated over)
 * - Rows in time order (strictly increasing), at any spacing; blank lines and lines starting
 *   with `#` are skipped; CRLF, a UTF-8 BOM and double-quoted cells are fine.
 * - Columns: temperature (°C), humidity (%RH), pressure (Pa). Names are case-insensitive,
 *   aliases temp/t, hum/rh, press/p are understood, and a unit may follow the name
 *   (`pressure[hPa]`, `pressure (hPa)`, `pressure_hpa`, `temperature_F`, `temperature[K]`);
 *   pressure without a unit whose values all lie in 300..1100 is taken as hPa (a warning says so).
 *   Other columns are ignored with a warning.
 * - Between rows values are interpolated linearly; before the first and after the last row of
 *   a column its end value holds. A run longer than the trace loops it.
 * Any error is a TraceError naming the source and line number.
 */

export const TRACE_SENSORS = Object.freeze(['temperature', 'humidity', 'pressure'] as const);
export type TraceSensor = (typeof TRACE_SENSORS)[number];

export class TraceError extends Error {
  readonly line: number;
  readonly source: string;
  constructor(source: string, line: number, detail: string) {
    super(`${source}:${line}: ${detail}`);
    this.line = line;
    this.source = source;
  }
}

/** One column: its times (UTC ms) and values (in the sensor's unit), rows with a value only. */
export interface TraceColumn {
  readonly times: Float64Array;
  readonly values: Float64Array;
}

export interface Trace {
  readonly source: string;
  readonly sensors: readonly TraceSensor[];
  readonly columns: Readonly<Partial<Record<TraceSensor, TraceColumn>>>;
  /** First and last row time (UTC ms). */
  readonly startMs: number;
  readonly endMs: number;
  readonly rows: number;
  readonly warnings: readonly string[];
}

const ALIASES: Readonly<Record<string, TraceSensor>> = Object.freeze({
  temperature: 'temperature', temp: 'temperature', t: 'temperature',
  humidity: 'humidity', hum: 'humidity', rh: 'humidity',
  pressure: 'pressure', press: 'pressure', p: 'pressure',
});

/** The time column: `time`, or what exports often call it. */
const TIME_NAMES: readonly string[] = Object.freeze(['time', 'timestamp', 'datetime', 'date_time', 'time_utc', 'time (utc)', 'utc']);

type Convert = (v: number) => number;
const UNITS: Readonly<Record<TraceSensor, Readonly<Record<string, Convert>>>> = Object.freeze({
  temperature: { c: (v) => v, degc: (v) => v, '°c': (v) => v, cel: (v) => v, k: (v) => v - 273.15, f: (v) => ((v - 32) * 5) / 9 },
  humidity: { '%': (v) => v, '%rh': (v) => v, rh: (v) => v, pct: (v) => v },
  pressure: { pa: (v) => v, hpa: (v) => v * 100, mbar: (v) => v * 100, kpa: (v) => v * 1000, bar: (v) => v * 100_000 },
});

/** Plausible ranges (after conversion); values outside are kept but counted in a warning. */
const PLAUSIBLE: Readonly<Record<TraceSensor, readonly [number, number]>> = Object.freeze({
  temperature: [-80, 150], humidity: [0, 100], pressure: [30_000, 120_000],
});

interface HeaderColumn { index: number; sensor: TraceSensor; convert: Convert | undefined; label: string }

function parseHeaderName(raw: string): { name: string; unit: string | undefined } {
  const text = raw.trim().toLowerCase();
  const bracket = /^([a-z]+)\s*[[(]\s*([^\])]+?)\s*[\])]$/.exec(text);
  if (bracket !== null) return { name: bracket[1]!, unit: bracket[2]! };
  const underscore = /^([a-z]+)_([a-z%°]+)$/.exec(text);
  if (underscore !== null && ALIASES[underscore[1]!] !== undefined) return { name: underscore[1]!, unit: underscore[2]! };
  return { name: text, unit: undefined };
}

/** Splits one CSV line: commas, double-quoted cells with "" escapes. */
export function splitCsvLine(line: string): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        cell += c;
      }
    } else if (c === '"' && cell.trim() === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      wasQuoted = false;
    } else {
      cell += c;
    }
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** ISO 8601 date-time to UTC ms; a time without an offset is UTC. Undefined when malformed. */
export function parseIsoUtc(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (m === null) return undefined;
  const [year, month, day, hour = '0', minute = '0', second = '0'] = [m[1]!, m[2]!, m[3]!, m[4], m[5], m[6]];
  const fraction = m[7] ?? '';
  const y = Number(year), mo = Number(month), d = Number(day), h = Number(hour), mi = Number(minute), s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60 || (h === 24 && (mi > 0 || s > 0))) return undefined;
  let ms = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59)) + (fraction === '' ? 0 : Math.round(Number(`0.${fraction}`) * 1000));
  // Day overflow (2026-02-30) is an error, not March 2nd.
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return undefined;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0);
    if (offsetMin > 14 * 60) return undefined;
    ms -= sign * offsetMin * 60_000;
  }
  return ms;
}

/** Parses CSV trace text; throws TraceError with the line number of the first problem. */
export function parseTrace(text: string, source = 'trace'): Trace {
  if (typeof text !== 'string') throw new TraceError(source, 0, 'expected text');
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const warnings: string[] = [];
  let lineNo = 0;
  let header: string[] | undefined;
  for (; lineNo < lines.length; lineNo++) {
    const line = lines[lineNo]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    header = splitCsvLine(line);
    if (header === undefined) throw new TraceError(source, lineNo + 1, 'unterminated quote in the header');
    break;
  }
  if (header === undefined) {
    const last = lines.length - (lines[lines.length - 1] === '' ? 1 : 0);
    throw new TraceError(source, Math.max(1, last), 'empty trace: expected a header row `time,<sensor>,...`');
  }
  const headerLine = lineNo + 1;
  if (!TIME_NAMES.includes(header[0]?.trim().toLowerCase() ?? '')) {
    throw new TraceError(source, headerLine, `the first column must be "time", got ${JSON.stringify(header[0]?.trim() ?? '')}`);
  }
  const columns: HeaderColumn[] = [];
  header.slice(1).forEach((raw, i) => {
    const { name, unit } = parseHeaderName(raw);
    const sensor = ALIASES[name];
    if (sensor === undefined) {
      if (raw.trim() !== '') warnings.push(`column ${JSON.stringify(raw.trim())} is not a sensor (${TRACE_SENSORS.join(', ')}): ignored`);
      return;
    }
    if (columns.some((c) => c.sensor === sensor)) throw new TraceError(source, headerLine, `sensor ${sensor} appears twice in the header`);
    let convert: Convert | undefined;
    if (unit !== undefined) {
      convert = UNITS[sensor][unit];
      if (convert === undefined) throw new TraceError(source, headerLine, `unknown unit ${JSON.stringify(unit)} for ${sensor} (known: ${Object.keys(UNITS[sensor]).join(', ')})`);
    }
    columns.push({ index: i + 1, sensor, convert, label: raw.trim() });
  });
  if (columns.length === 0) throw new TraceError(source, headerLine, `no sensor column: expected any of ${TRACE_SENSORS.join(', ')}`);

  const times: number[] = [];
  const cells: (number | undefined)[][] = columns.map(() => []);
  let previous: number | undefined;
  for (lineNo = headerLine; lineNo < lines.length; lineNo++) {
    const line = lines[lineNo]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const n = lineNo + 1;
    const row = splitCsvLine(line);
    if (row === undefined) throw new TraceError(source, n, 'unterminated quote');
    // A trailing empty cell (a trailing comma) is tolerated.
    if (row.length > header.length && row.slice(header.length).some((c) => c.trim() !== '')) {
      throw new TraceError(source, n, `${row.length} cells, the header has ${header.length}`);
    }
    if (row.length < header.length && !(row.length === 1 && header.length === 1)) {
      throw new TraceError(source, n, `${row.length} cells, the header has ${header.length}`);
    }
    const time = parseIsoUtc(row[0]!);
    if (time === undefined) throw new TraceError(source, n, `bad time ${JSON.stringify(row[0]!.trim())}: expected ISO 8601 such as 2026-01-05T12:00:00Z`);
    if (previous !== undefined && time <= previous) {
      throw new TraceError(source, n, `time ${row[0]!.trim()} is not after the previous row's: rows must be in time order`);
    }
    previous = time;
    times.push(time);
    columns.forEach((c, i) => {
      const cell = row[c.index]?.trim() ?? '';
      if (cell === '' || /^(nan|null|na|n\/a|-)$/i.test(cell)) {
        cells[i]!.push(undefined);
        return;
      }
      const value = Number(cell);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) || !Number.isFinite(value)) {
        throw new TraceError(source, n, `bad ${c.sensor} value ${JSON.stringify(cell)}: expected a number`);
      }
      cells[i]!.push(value);
    });
  }
  if (times.length === 0) throw new TraceError(source, headerLine, 'no data rows after the header');

  const out: Partial<Record<TraceSensor, TraceColumn>> = {};
  const sensors: TraceSensor[] = [];
  columns.forEach((c, i) => {
    const present = cells[i]!.map((v, row) => ({ v, t: times[row]! })).filter((x): x is { v: number; t: number } => x.v !== undefined);
    if (present.length === 0) {
      warnings.push(`column ${JSON.stringify(c.label)} has no values: ignored`);
      return;
    }
    let convert = c.convert;
    if (convert === undefined && c.sensor === 'pressure' && present.every((x) => x.v >= 300 && x.v <= 1100)) {
      convert = UNITS.pressure['hpa'];
      warnings.push(`column ${JSON.stringify(c.label)}: values look like hPa, converted to Pa (name the unit, e.g. pressure[Pa], to say otherwise)`);
    }
    const values = Float64Array.from(present, (x) => (convert === undefined ? x.v : convert(x.v)));
    const [lo, hi] = PLAUSIBLE[c.sensor];
    const odd = values.filter((v) => v < lo || v > hi).length;
    if (odd > 0) warnings.push(`column ${JSON.stringify(c.label)}: ${odd} value(s) outside ${lo}..${hi}`);
    out[c.sensor] = { times: Float64Array.from(present, (x) => x.t), values };
    sensors.push(c.sensor);
  });
  if (sensors.length === 0) throw new TraceError(source, headerLine, 'no sensor column has any value');
  return Object.freeze({
    source, sensors: Object.freeze(sensors), columns: Object.freeze(out), startMs: times[0]!, endMs: times[times.length - 1]!,
    rows: times.length, warnings: Object.freeze(warnings),
  });
}

/** Linear interpolation in one column at trace time `t`; end values hold outside it. */
export function interpolate(column: TraceColumn, t: number): number {
  const { times, values } = column;
  const n = times.length;
  if (t <= times[0]!) return values[0]!;
  if (t >= times[n - 1]!) return values[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const t0 = times[lo]!, t1 = times[hi]!;
  return values[lo]! + ((values[hi]! - values[lo]!) * (t - t0)) / (t1 - t0);
}

/** Length of one replay of the trace (ms); a one-row trace is constant (0). */
export function traceDurationMs(trace: Trace): number {
  return trace.endMs - trace.startMs;
}

/**
 * The trace time that `elapsedMs` after the start of a replay reads (offset added first),
 * looping when the replay is longer than the trace.
 */
export function traceTimeAt(trace: Trace, elapsedMs: number): number {
  const duration = traceDurationMs(trace);
  if (duration <= 0) return trace.startMs;
  const e = elapsedMs % duration;
  return trace.startMs + (e < 0 ? e + duration : e);
}

/** A sensor's value `elapsedMs` into a replay; undefined when the trace has no such column. */
export function traceValue(trace: Trace, sensor: TraceSensor, elapsedMs: number): number | undefined {
  const column = trace.columns[sensor];
  return column === undefined ? undefined : interpolate(column, traceTimeAt(trace, elapsedMs));
}
