/**
 * npm run sim -- [options]: one simulation for scripts and people.
 *
 *   npm run sim -- --devices 200 --hours 48 --fault broker-outage@10h+2h --json
 *   npm run sim -- --trace traces/office.csv --trace-spread 6h --trace-noise temperature=0.1
 *   npm run sim -- --mode logic --devices 10000 --hours 24 --json
 *
 * Progress goes to stderr, the terminal summary to stdout; with --json the last line of stdout
 * is the result as one JSON object. The HTML report is written under reports/ unless --no-report.
 * Exit status: 0 after a run, 1 when readings were lost or a device wake failed, 2 on bad options.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { MIN_VALID_UTC_MS } from '../firmware/index.js';
import { DEFAULT_BASELINE } from './baseline.js';
import { parseBattery } from './energy.js';
import { FaultSpecError, parseDuration, parseFault, type Fault } from './faults.js';
import type { NoiseSpec } from './inputs/models.js';
import { parseTrace, TraceError, TRACE_SENSORS, type Trace } from './inputs/trace.js';
import { DEFAULT_OPTIONS, type SimOptions } from './options.js';
import { createProgress } from './report/progress.js';
import { formatSummary } from './report/summary.js';
import { writeReport } from './report/write.js';
import { runSimulation, type RunHooks } from './run.js';

const int = (name: string, min: number, max: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}`);
  return n;
};

const positive = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
  return n;
};

const duration = (value: string): number => {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

const collectFault = (value: string, previous: Fault[]): Fault[] => {
  try {
    return [...previous, parseFault(value)];
  } catch (error) {
    if (error instanceof FaultSpecError) throw new InvalidArgumentError(error.message);
    throw error;
  }
};

/** "temperature=0.1,humidity=0.5" */
function parseNoise(value: string): NoiseSpec {
  const out: NoiseSpec = {};
  for (const part of value.split(',')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if (k === undefined || v === undefined || !(TRACE_SENSORS as readonly string[]).includes(k) || !(Number(v) >= 0)) {
      throw new InvalidArgumentError(`--trace-noise ${value}: expected e.g. temperature=0.1,humidity=0.5,pressure=5`);
    }
    out[k as keyof NoiseSpec] = Number(v);
  }
  return out;
}

function parseStages(value: string): number[] {
  const stages = value.split(',').map((s) => Number(s.trim()));
  if (stages.length === 0 || stages.some((s) => !(s > 0 && s <= 100)) || stages.some((s, i) => i > 0 && s <= stages[i - 1]!)) {
    throw new InvalidArgumentError('--stages: increasing percentages in (0, 100], e.g. 1,5,25,100');
  }
  return stages;
}

/** A bad option found while building the run (after commander's own parsing). */
class UsageError extends Error {}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}

export interface CliRun {
  options: Partial<SimOptions>;
  json: boolean;
  report: string | false;
  quiet: boolean;
  /** Said on stderr before the run (trace columns ignored, units guessed, start moved). */
  warnings: string[];
}

export function createProgram(onRun: (run: CliRun) => Promise<void>): Command {
  const program = new Command('sim')
    .description('Simulate a fleet of sensor nodes running the real firmware core on a virtual clock.')
    .showHelpAfterError()
    .option('--devices <n>', 'number of devices', int('--devices', 1, 1_000_000), DEFAULT_OPTIONS.devices)
    .option('--hours <h>', 'virtual hours to simulate', positive('--hours'), DEFAULT_OPTIONS.hours)
    .addOption(new Option('--mode <mode>', 'full: real broker and server; logic: in-memory models (fleet size)').choices(['full', 'logic']).default('full'))
    .addOption(new Option('--engine <engine>', 'where each device core runs').choices(['node', 'xs']).default('node'))
    .option('--workers <n>', 'device host processes (0: in this process)', int('--workers', 0, 64), DEFAULT_OPTIONS.workers)
    .option('--seed <n>', 'random seed (same seed, same logic-mode result)', int('--seed', -(2 ** 31), 2 ** 31 - 1), DEFAULT_OPTIONS.seed)
    .option('--start <iso>', 'virtual start time (default: the trace start, or 2026-01-05T00:00:00Z)')
    .option('--trace <csv>', 'sensor trace: header time,<sensor>,... (docs/sim.md)')
    .option('--trace-spread <duration>', 'each device starts its replay at a random offset up to this', duration, 0)
    .option('--trace-noise <spec>', 'gaussian noise per sensor, e.g. temperature=0.1,humidity=0.5', parseNoise)
    .option('--heat-events <perDay>', 'built-in model: heat events (temperature alarms) per device per day', Number, DEFAULT_OPTIONS.heatEventsPerDay)
    .option('--fault <spec>', 'a fault on the schedule (repeatable), e.g. broker-outage@10h+2h, wifi-loss:dev-0007@3h+6h, '
      + 'server-outage@20h+1h, power-cut:5%@30h, clock-drift:50ppm, release@6h, bad-release@30h', collectFault, [] as Fault[])
    .option('--broker <url>', 'an external MQTT broker (mqtt://host:port) instead of the embedded Aedes')
    .option('--battery <spec>', 'battery for the life estimate: 2xaa, 18650, cr123a, lipo1000 or a capacity in mAh', '2xaa')
    .option('--check-in <duration>', 'device check-in period', duration, DEFAULT_OPTIONS.config.checkInPeriodMs)
    .option('--outbox <bytes>', 'outbox budget per device', int('--outbox', 1024, 16 * 1024 * 1024), DEFAULT_OPTIONS.outboxBytes)
    .option('--no-jitter', 'backoff without jitter (every delay at its ceiling)')
    .option('--no-herd', 'skip the thundering-herd twins')
    .option('--stages <list>', 'rollout stages in percent', parseStages, DEFAULT_OPTIONS.rollout.stages)
    .option('--soak <duration>', 'soak time per rollout stage', duration, DEFAULT_OPTIONS.rollout.soakSeconds * 1000)
    .option('--failure-threshold <rate>', 'rollouts pause above this failure rate', Number, DEFAULT_OPTIONS.rollout.failureThreshold)
    .option('--min-sample <n>', 'failures counted only after this many attempts', int('--min-sample', 1, 1_000_000), DEFAULT_OPTIONS.rollout.minSample)
    .option('--baseline-period <duration>', 'baseline telemetry period', duration, DEFAULT_BASELINE.periodMs)
    .addOption(new Option('--baseline-qos <qos>', 'baseline MQTT QoS').choices(['0', '1']).default('1'))
    .option('--baseline-fast-join', 'baseline joins Wi-Fi with a cached channel (ESPHome fast_connect)')
    .option('--report <dir>', 'where the HTML report goes', 'reports')
    .option('--no-report', 'write no HTML report')
    .option('--json', 'print the result as one JSON object on the last line')
    .option('--quiet', 'no progress bars')
    .action(async (o: Record<string, unknown>) => {
      let run: CliRun;
      try {
        run = buildRun(o);
      } catch (error) {
        if (error instanceof TraceError || error instanceof InvalidArgumentError || error instanceof RangeError) throw new UsageError(error.message);
        throw error;
      }
      await onRun(run);
    });
  return program;
}

function buildRun(o: Record<string, unknown>): CliRun {
  const warnings: string[] = [];
  let trace: Trace | undefined;
  if (typeof o['trace'] === 'string') {
    const path = resolve(o['trace']);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new InvalidArgumentError(`--trace ${o['trace']}: ${(error as Error).message}`);
    }
    trace = parseTrace(text, o['trace']);
  }
  let startUtcMs = trace?.startMs ?? DEFAULT_OPTIONS.startUtcMs;
  if (trace !== undefined && startUtcMs < MIN_VALID_UTC_MS) {
    // A device treats a clock before 2024 as unset: replay an older trace from the default start
    // day at the trace's own time of day (the replay is relative to the run's start anyway).
    startUtcMs = DEFAULT_OPTIONS.startUtcMs + (trace.startMs % 86_400_000 + 86_400_000) % 86_400_000;
    warnings.push(`trace starts before 2024 (a device reads that as an unset clock): the run starts at ${new Date(startUtcMs).toISOString()}, same time of day`);
  }
  if (typeof o['start'] === 'string') {
    startUtcMs = Date.parse(o['start']);
    if (!Number.isFinite(startUtcMs)) throw new InvalidArgumentError(`--start ${o['start']}: not an ISO 8601 time`);
  }
  let battery;
  try {
    battery = parseBattery(String(o['battery']));
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  const options: Partial<SimOptions> = {
    devices: o['devices'] as number,
    hours: o['hours'] as number,
    mode: o['mode'] as SimOptions['mode'],
    engine: o['engine'] as SimOptions['engine'],
    workers: o['workers'] as number,
    seed: o['seed'] as number,
    startUtcMs,
    ...(trace === undefined ? {} : { trace }),
    traceSpreadMs: o['traceSpread'] as number,
    traceNoise: (o['traceNoise'] as NoiseSpec | undefined) ?? {},
    heatEventsPerDay: o['heatEvents'] as number,
    faults: o['fault'] as Fault[],
    ...(typeof o['broker'] === 'string' ? { broker: o['broker'] } : {}),
    battery,
    config: { checkInPeriodMs: o['checkIn'] as number },
    outboxBytes: o['outbox'] as number,
    jitter: o['jitter'] !== false,
    herd: o['herd'] !== false,
    rollout: {
      stages: o['stages'] as number[],
      soakSeconds: (o['soak'] as number) / 1000,
      failureThreshold: o['failureThreshold'] as number,
      minSample: o['minSample'] as number,
    },
    baseline: { periodMs: o['baselinePeriod'] as number, qos: Number(o['baselineQos']) as 0 | 1, fastJoin: o['baselineFastJoin'] === true },
  };
  return { options, json: o['json'] === true, report: o['report'] === false ? false : String(o['report']), quiet: o['quiet'] === true, warnings: [...(trace?.warnings ?? []), ...warnings] };
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let status = 0;
  const program = createProgram(async (run) => {
    const progress = run.quiet ? undefined : createProgress({ tty: io.isTTY });
    for (const w of run.warnings) io.err(`sim: ${w}\n`);
    const hooks: RunHooks = {
      ...(progress === undefined ? {} : { onProgress: (p) => progress.update(p), onEvent: (line) => progress.log(line) }),
    };
    let result;
    try {
      result = await runSimulation(run.options, hooks);
    } finally {
      progress?.stop();
    }
    let reportPath: string | undefined;
    if (run.report !== false) reportPath = writeReport(result, run.report, 'Fleet simulation');
    io.out(`${formatSummary(result.summary, reportPath).join('\n')}\n`);
    if (run.json) io.out(`${JSON.stringify({ ...result.summary, ...(reportPath === undefined ? {} : { report: reportPath }) })}\n`);
    if (result.summary.readingsLost > 0 || result.summary.wakeErrors > 0) status = 1;
  });
  program.exitOverride();
  program.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof UsageError || error instanceof RangeError) {
      io.err(`sim: ${error.message}\n`);
      return 2;
    }
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    if (code !== undefined && code.startsWith('commander.')) return 2; // commander printed it
    throw error;
  }
  return status;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const status = await main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: process.stderr.isTTY === true,
  });
  process.exit(status);
}
