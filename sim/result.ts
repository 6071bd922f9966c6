/**
 * From what a run recorded to what it reports: readings lost and duplicated (against the
 * consumer's de-duplicated log and what is still queued on the devices), alarm delivery and
 * latency, energy and battery life per device, the baseline side by side, rollouts, the
 * thundering herd. The summary is the JSON the CLI prints (its last line); the details feed
 * the HTML report's charts.
 */
import { simulateBaseline, type BaselineResult } from './baseline.js';
import { awakeTime, batteryDays, chargeMah, describeAssumptions } from './energy.js';
import { describeFault, inIntervals, type Interval } from './faults.js';
import type { InputSource } from './inputs/models.js';
import type { RunMetrics } from './metrics.js';
import type { ReceivedLog } from './net/received.js';
import type { SimOptions } from './options.js';

export interface HerdTwin {
  /** Peak first reconnections in one virtual second. */
  peak: number;
  /** When the peak second came, in minutes after the broker returned. */
  peakAfterMinutes: number | null;
  /** Minutes after the broker returned until half / 95 % of the fleet had reconnected. */
  p50Minutes: number | null;
  p95Minutes: number | null;
  reconnected: number;
  /** First reconnections per minute over the 2 h after the outage. */
  perMinute: number[];
}

export interface HerdResult {
  withJitter: HerdTwin;
  withoutJitter: HerdTwin;
  outageEndHours: number;
  outageHours: number;
  devices: number;
}

export interface ReleaseRecord {
  version: string;
  kind: 'good' | 'bad';
  rolloutId: string;
  scheduledAtMs: number;
  startedAtMs: number;
  state: string;
  stateReason: string | null;
  stageIndex: number;
  stages: number[];
  /** Run offset (ms) at which each stage was reached. */
  stageReachedAtMs: number[];
  counts: Record<string, number>;
  timeline: { tMs: number; stageIndex: number; state: string; counts: Record<string, number> }[];
  perStage: { percent: number; devices: number; counts: Record<string, number> }[];
  devices?: { deviceId: string; state: string; reason: string | null }[];
}

/** The JSON summary (sim/cli.ts --json prints it as the last line). */
export interface SimSummary {
  devices: number;
  virtualHours: number;
  wallSeconds: number;
  cycles: number;
  messages: number;
  bytes: number;
  baselineMessages: number;
  baselineBytes: number;
  readingsLost: number;
  duplicates: number;
  alarmsRaised: number;
  alarmsDelivered: number;
  alarmLatencyP95Seconds: number | null;
  rollout: {
    releases: {
      version: string; kind: 'good' | 'bad'; id: string; state: string; stateReason: string | null; stageIndex: number; stagePercent: number;
      counts: Record<string, number>; perStage: { percent: number; devices: number; reachedAtHours: number | null; counts: Record<string, number> }[];
    }[];
  };
  batteryDaysMedian: number;
  thunderingHerd: {
    withJitterPeak: number | null;
    withoutJitterPeak: number | null;
    /** Minutes until 95 % of the fleet reconnected, with and without jitter. */
    withJitterP95Minutes: number | null;
    withoutJitterP95Minutes: number | null;
    /** The same peak in this run itself (its own phases and jitter setting). */
    thisRunPeak: number | null;
    outageEndHours: number | null;
    method: string;
  };
  mode: string;
  engine: string;
  broker: string;
  seed: number;
  faults: string[];
  trace: string | null;
  readingsProduced: number;
  readingsDelivered: number;
  readingsQueuedAtEnd: number;
  thinned: number;
  dropped: number;
  alarmClears: number;
  packsDelivered: number;
  checkIns: number;
  otaBytes: number;
  powerCuts: number;
  radioSecondsPerDeviceDay: number;
  baselineRadioSecondsPerDeviceDay: number;
  baselineLost: number;
  mahPerDayMedian: number;
  baselineMahPerDayMedian: number;
  baselineBatteryDaysMedian: number;
  battery: string;
  energyAssumptions: string[];
  maxClockErrorSeconds: number;
  firmware: Record<string, number>;
  firmwareLog: Record<string, number>;
  wakeErrors: number;
  firstWakeError?: string;
  consumerDrained: boolean;
  /** CPU seconds: the simulator's process (scheduler, broker, server, consumer) and the device hosts. */
  cpuSeconds: { simulator: number; deviceHosts: number };
}

export interface SimDetails {
  messagesPerHour: number[];
  baselinePerHour: number[];
  bytesPerHour: number[];
  outboxSeries: { hours: number; records: number; devicesWithBacklog: number }[];
  batteryDays: number[];
  baselineBatteryDays: number[];
  releases: ReleaseRecord[];
  herd: HerdResult | undefined;
  /** This run's own first reconnections per minute over the 2 h after the first broker outage. */
  reconnectsPerMinute: { fromHours: number; counts: number[] } | undefined;
  outages: { broker: Interval[]; server: Interval[] };
  alarmLatencies: number[];
}

export interface SimResult {
  summary: SimSummary;
  details: SimDetails;
  metrics: RunMetrics;
}

export interface ResultInput {
  options: SimOptions;
  metrics: RunMetrics;
  received: ReceivedLog;
  queued: [number, number][][];
  releases: ReleaseRecord[];
  herd: HerdResult | undefined;
  outages: { broker: Interval[]; server: Interval[] };
  wifiDown: Interval[][];
  phases: number[];
  ids: string[];
  inputsFor(index: number): InputSource;
  wallSeconds: number;
  cpuSeconds: { simulator: number; deviceHosts: number };
  drained: boolean;
  logCounts: Record<string, number>;
  wakeErrors: number;
  firstWakeError: string | undefined;
  brokerKind: string;
  checkIns: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length) - 1;
  return s[Math.min(s.length - 1, Math.max(0, rank))]!;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Delivery time of each delivered pack: the wake whose window brought the cumulative acknowledgements to its rank. */
function deliveryTimes(first: readonly number[], delivered: Set<number>, ackMs: readonly number[], ackCum: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  const ranked = first.filter((f) => delivered.has(f)).sort((a, b) => a - b);
  let k = 0;
  ranked.forEach((f, rank) => {
    while (k < ackCum.length && ackCum[k]! < rank + 1) k++;
    if (k < ackMs.length) out.set(f, ackMs[k]!);
  });
  return out;
}

export function computeResult(input: ResultInput): SimResult {
  const { options, metrics, received } = input;
  const spanMs = metrics.spanMs;
  const days = spanMs / 86_400_000;
  let produced = 0;
  let deliveredRecords = 0;
  let queuedRecords = 0;
  let lost = 0;
  let alarmsRaised = 0;
  let alarmsDelivered = 0;
  let alarmClears = 0;
  let thinned = 0;
  let dropped = 0;
  let packsDelivered = 0;
  let otaBytes = 0;
  let bytes = 0;
  let messages = 0;
  let radioMs = 0;
  let maxClockError = 0;
  const latencies: number[] = [];
  const batteryLife: number[] = [];
  const mahPerDay: number[] = [];
  const firmware: Record<string, number> = {};
  metrics.devices.forEach((d, i) => {
    const id = input.ids[i]!;
    const seqs = received.seqs.get(id) ?? new Set<number>();
    const packs = received.packs.get(id) ?? new Set<number>();
    const queued = new Set<number>();
    for (const [a, b] of input.queued[i] ?? []) for (let s = a; s <= b; s++) queued.add(s);
    for (let p = 0; p < d.packFirst.length; p++) {
      for (let s = d.packFirst[p]!; s <= d.packLast[p]!; s++) {
        produced++;
        if (seqs.has(s)) deliveredRecords++;
        else if (queued.has(s)) queuedRecords++;
        else lost++;
      }
    }
    packsDelivered += packs.size;
    const delivered = deliveryTimes(d.packFirst, packs, d.ackMs, d.ackCum);
    for (let a = 0; a < d.alarmSeq.length; a++) {
      alarmsRaised++;
      const seq = d.alarmSeq[a]!;
      if (!seqs.has(seq)) continue;
      alarmsDelivered++;
      // The pack that carried it: the last one starting at or before its sequence number.
      let packFirst: number | undefined;
      for (let p = 0; p < d.packFirst.length; p++) if (d.packFirst[p]! <= seq && seq <= d.packLast[p]!) packFirst = d.packFirst[p];
      const at = packFirst === undefined ? undefined : delivered.get(packFirst);
      if (at !== undefined) latencies.push(Math.max(0, at - d.alarmMs[a]!) / 1000);
    }
    alarmClears += d.alarmClears;
    thinned += d.thinned;
    dropped += d.dropped;
    otaBytes += d.traffic.bytes.ota;
    bytes += d.traffic.bytes.mqtt + d.traffic.bytes.http;
    messages += d.acked;
    const awake = awakeTime(d.activity, options.energy);
    radioMs += awake.radioMs;
    const mah = chargeMah(d.activity, spanMs, options.energy).mah;
    mahPerDay.push(mah / days);
    batteryLife.push(batteryDays(options.battery, mah / days));
    if (Math.abs(d.maxClockErrorMs) > Math.abs(maxClockError)) maxClockError = d.maxClockErrorMs;
    const key = `${d.firmware.version} (${d.firmware.bootState})`;
    firmware[key] = (firmware[key] ?? 0) + 1;
  });

  // Baseline: the same devices, inputs and outages through the naive publisher.
  const baselines: BaselineResult[] = input.ids.map((id, i) => simulateBaseline({
    deviceId: id,
    sample: input.inputsFor(i).sample,
    phaseMs: input.phases[i]!,
    batteryVolts: 3.9,
    brokerUp: (t) => !inIntervals(input.outages.broker, t - options.startUtcMs),
    wifiUp: (t) => !inIntervals(input.wifiDown[i]!, t - options.startUtcMs),
  }, options.startUtcMs, spanMs, options.baseline, options.energy));
  const baselinePerHour = new Array<number>(metrics.messagesPerHour.length).fill(0);
  let baselineMessages = 0;
  let baselineBytes = 0;
  let baselineLost = 0;
  let baselineRadioMs = 0;
  const baselineMahPerDay: number[] = [];
  const baselineBattery: number[] = [];
  for (const b of baselines) {
    baselineMessages += b.messages;
    baselineBytes += b.bytes;
    baselineLost += b.lost;
    baselineRadioMs += awakeTime(b.activity, options.energy).radioMs;
    b.perHour.forEach((n, h) => { if (h < baselinePerHour.length) baselinePerHour[h]! += n; });
    baselineMahPerDay.push(b.mah / days);
    baselineBattery.push(batteryDays(options.battery, b.mah / days));
  }

  const perStage = (r: ReleaseRecord): SimSummary['rollout']['releases'][number]['perStage'] => r.stages.map((percent, k) => {
    const reached = r.stageReachedAtMs[k];
    const stats = r.perStage[k];
    return { percent, devices: stats?.devices ?? 0, reachedAtHours: reached === undefined ? null : round(reached / 3_600_000, 2), counts: stats?.counts ?? {} };
  });
  const herd = input.herd;
  const outageEnd = input.outages.broker[0]?.endMs;
  const ownWave = outageEnd === undefined || outageEnd >= spanMs ? undefined : metrics.reconnectWave();

  const summary: SimSummary = {
    devices: options.devices,
    virtualHours: options.hours,
    wallSeconds: round(input.wallSeconds, 1),
    cycles: metrics.cycles,
    messages,
    bytes,
    baselineMessages,
    baselineBytes,
    readingsLost: lost,
    duplicates: received.duplicates,
    alarmsRaised,
    alarmsDelivered,
    alarmLatencyP95Seconds: latencies.length === 0 ? null : round(percentile(latencies, 95), 1),
    rollout: {
      releases: input.releases.map((r) => ({
        version: r.version, kind: r.kind, id: r.rolloutId, state: r.state, stateReason: r.stateReason, stageIndex: r.stageIndex,
        stagePercent: r.stages[r.stageIndex] ?? 0, counts: r.counts, perStage: perStage(r),
      })),
    },
    batteryDaysMedian: round(median(batteryLife), 0),
    thunderingHerd: {
      withJitterPeak: herd?.withJitter.peak ?? null,
      withoutJitterPeak: herd?.withoutJitter.peak ?? null,
      withJitterP95Minutes: herd?.withJitter.p95Minutes === undefined || herd.withJitter.p95Minutes === null ? null : round(herd.withJitter.p95Minutes, 1),
      withoutJitterP95Minutes: herd?.withoutJitter.p95Minutes === undefined || herd.withoutJitter.p95Minutes === null ? null : round(herd.withoutJitter.p95Minutes, 1),
      thisRunPeak: ownWave?.peak ?? null,
      outageEndHours: outageEnd === undefined ? null : round(outageEnd / 3_600_000, 2),
      method: herd === undefined ? 'no broker outage ended within the run (or --no-herd): nothing to measure'
        : 'each device\'s first MQTT connection after the first broker outage, peak per virtual second; logic-mode twins of this fleet powered on together, backoff with full jitter and without',
    },
    mode: options.mode,
    engine: options.engine,
    broker: input.brokerKind,
    seed: options.seed,
    faults: options.faults.map(describeFault),
    trace: options.trace?.source ?? null,
    readingsProduced: produced,
    readingsDelivered: deliveredRecords,
    readingsQueuedAtEnd: queuedRecords,
    thinned,
    dropped,
    alarmClears,
    packsDelivered,
    checkIns: input.checkIns,
    otaBytes,
    powerCuts: metrics.powerCuts,
    radioSecondsPerDeviceDay: round(radioMs / 1000 / options.devices / days, 2),
    baselineRadioSecondsPerDeviceDay: round(baselineRadioMs / 1000 / options.devices / days, 2),
    baselineLost,
    mahPerDayMedian: round(median(mahPerDay), 3),
    baselineMahPerDayMedian: round(median(baselineMahPerDay), 3),
    baselineBatteryDaysMedian: round(median(baselineBattery), 0),
    battery: options.battery.name,
    energyAssumptions: describeAssumptions(options.energy, options.battery),
    maxClockErrorSeconds: round(maxClockError / 1000, 3),
    firmware,
    firmwareLog: input.logCounts,
    wakeErrors: input.wakeErrors,
    ...(input.firstWakeError === undefined ? {} : { firstWakeError: input.firstWakeError }),
    consumerDrained: input.drained,
    cpuSeconds: { simulator: round(input.cpuSeconds.simulator, 1), deviceHosts: round(input.cpuSeconds.deviceHosts, 1) },
  };
  const firstOutage = input.outages.broker[0];
  const details: SimDetails = {
    messagesPerHour: metrics.messagesPerHour,
    baselinePerHour,
    bytesPerHour: metrics.bytesPerHour,
    outboxSeries: metrics.outboxSeries.map((p) => ({ hours: round((p.tMs - options.startUtcMs) / 3_600_000, 3), records: p.records, devicesWithBacklog: p.devicesWithBacklog })),
    batteryDays: batteryLife,
    baselineBatteryDays: baselineBattery,
    releases: input.releases,
    herd,
    reconnectsPerMinute: firstOutage === undefined ? undefined : {
      fromHours: firstOutage.endMs / 3_600_000,
      counts: metrics.reconnectSeries(options.startUtcMs + firstOutage.endMs, options.startUtcMs + firstOutage.endMs + 2 * 3_600_000, 60_000),
    },
    outages: input.outages,
    alarmLatencies: latencies,
  };
  return { summary, details, metrics };
}
