/**
 * The single-node demo (`npx tsx sim/single-node.ts`; `npm start` runs the fleet, sim/start.ts): one simulated node of the reference
 * config on the node host, through eight virtual hours in well under a second of real time.
 * One line per wake: what was sampled, what it would send and why (deadband crossed, heartbeat,
 * aggregate, alarm raise/clear), whether it would open the radio and why, and why it sleeps as
 * long as it does. Events on the way: a heat wave (alarm), a sensor bus error, a power cut
 * (cold start; the sequence numbers still never repeat), a battery running low (periods
 * stretched, battery alarm).
 */
import { DEFAULT_NODE_CONFIG, createNode, runWakeCycle, type WakeResult } from '../firmware/index.js';
import { resolvePack } from '../firmware/codec/senml.js';
import {
  createBmp280Sim, createConsoleLog, createManualClock, createMemoryKv, createMemoryRetained, createSeededRandom, createSht3xSim,
  createSimulatedPower, ramp, sine, steps, sum,
} from '../hosts/node/index.js';

const HOUR = 3_600_000;
const MIN = 60_000;
const START = Date.UTC(2025, 5, 1, 8, 0, 0);
const END = START + 8 * HOUR;

const clock = createManualClock({ utcMs: START });
const random = createSeededRandom(2025);
const t = (): number => clock.trueUtcMs();
// A summer morning, a heat wave around noon, then it cools; a front lowers the pressure.
const temperature = sum(sine({ mean: 24, amplitude: 3, periodMs: 24 * HOUR, peakAtMs: START + 6 * HOUR }), steps([[START, 0], [START + 3.5 * HOUR, 8], [START + 4.5 * HOUR, 0]]));
const battery = ramp(START, 3.62, END, 3.37);
const power = createSimulatedPower({ battery: { volts: () => battery(t()), drain: () => undefined, socPercent: () => 0, usedMah: () => 0 }, onDeepSleep: (ms) => clock.advance(ms) });
const retained = createMemoryRetained();
const kv = createMemoryKv();
const sensors = [
  createSht3xSim({ clock, timeOf: t, random, noise: { temperature: 0.05, humidity: 0.3 }, temperature, humidity: ramp(START, 55, END, 38), faults: { busError: (at) => at >= START + 2 * HOUR + 10 * MIN && at < START + 2 * HOUR + 15 * MIN } }),
  createBmp280Sim({ clock, timeOf: t, random, noise: { pressure: 3 }, pressure: steps([[START, 101_600], [START + 5 * HOUR, 101_100], [START + 6 * HOUR, 100_500]]) }),
];
const wiring = () => ({ clock, power, retained, kv, sensors, random, log: createConsoleLog({ minLevel: 'warn', prefix: '          log' , sink: (l: string) => console.log(l) }), config: DEFAULT_NODE_CONFIG });

const clockText = (ms: number): string => new Date(ms).toISOString().slice(11, 19);
const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(2).replace(/\.?0+$/, ''));

function line(r: WakeResult): string {
  const parts: string[] = [];
  const boot = r.boot.coldStart !== undefined ? ` cold start (${r.boot.coldStart}, ${r.boot.resetReason})` : '';
  const failed = r.sampled.filter((s) => s.error !== undefined).map((s) => `${s.channel}: ${s.error}`);
  parts.push(`sampled ${r.sampled.length}${failed.length > 0 ? ` (${failed.join(', ')})` : ''}`);
  if (r.readings.length > 0) {
    const why = { report: 'deadband crossed', heartbeat: 'heartbeat', aggregate: 'window closed' } as const;
    parts.push(`send ${r.readings.map((x) => `${x.name}=${fmt(x.value)} (${r.cycle === 0 && x.kind === 'report' ? 'first value' : why[x.kind]})`).join(', ')}`);
  }
  for (const a of r.alarms) parts.push(`ALARM ${a.ruleId} ${a.kind} at ${fmt(a.value)}`);
  if (r.report !== undefined) parts.push(`pack ${r.report.pack.length} B seq ${r.report.firstSeq}-${r.report.lastSeq}`);
  if (r.window.reasons.length > 0) parts.push(`radio (${r.window.reasons.join(', ')})${r.window.skipped === 'no-uplink' ? ' [no uplink in this demo]' : ''}`);
  const tasks = [...new Set(r.next.tasks.map((k) => (k.channel === undefined ? k.kind : `${k.kind} ${k.channel}`)))];
  const why = r.next.reasons.filter((x) => x !== 'due').join(', ');
  parts.push(`sleep ${Math.round(r.next.sleepMs / 1000)} s for ${tasks.join(', ') || 'nothing'}${why === '' ? '' : ` (${why})`}`);
  return `${clockText(r.nowMs)} #${String(r.cycle).padEnd(3)}${boot} ${parts.join(' | ')}`;
}

console.log(`One simulated node (${DEFAULT_NODE_CONFIG.deviceId}: SHT3x + BMP280 + battery) on the node host, ${clockText(START)} to ${clockText(END)} UTC, virtual time.\n`);
let node = createNode(wiring());
let packs = 0;
let bytes = 0;
let wakes = 0;
let lastSeq = -1;
let powerCut = false;
const started = performance.now();
while (clock.trueUtcMs() < END) {
  if (!powerCut && clock.trueUtcMs() >= START + 5 * HOUR + 2 * MIN) {
    powerCut = true;
    console.log(`${clockText(clock.trueUtcMs())}      POWER CUT: retained memory lost; the node boots again`);
    retained.powerCut();
    power.powerCut();
    node = createNode(wiring());
  }
  const r = await runWakeCycle(node);
  wakes++;
  console.log(line(r));
  if (r.report !== undefined) {
    packs++;
    bytes += r.report.pack.length;
    if (r.report.firstSeq <= lastSeq) throw new Error('sequence number reused');
    lastSeq = r.report.lastSeq;
    resolvePack(r.report.pack); // every pack must resolve as SenML
  }
}
const tasmota = 136; // bytes of Tasmota's tele/SENSOR JSON for the same three readings (bench/core.bench.ts)
const naive = Math.round((END - START) / (5 * MIN)) * tasmota;
console.log(`\n${wakes} wakes, ${packs} SenML-CBOR packs, ${bytes} bytes; a Tasmota-style node publishing its JSON every 5 min sends ~${naive} bytes (${Math.round((100 * bytes) / naive)} %).`);
console.log(`Simulated 8 h in ${Math.round(performance.now() - started)} ms.`);
