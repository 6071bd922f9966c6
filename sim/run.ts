/**
 * runSimulation: a fleet on a virtual clock.
 *
 * Every device is the real firmware core (sim/device/program.ts). Their wakes sit in one
 * priority queue (sim/clock/event-queue.ts); the loop pops the earliest, jumps virtual time
 * there and runs the device, so days pass in minutes. Devices whose wakes fall within one short
 * slice of virtual time (sliceMs) run concurrently, because a full-stack wake spends most of
 * its real time waiting for the broker and the server; a device's own clock is frozen while
 * its I/O takes real time, and everything the energy model needs is counted from what the
 * wake did (sim/energy.ts), not from wall time.
 *
 * Full stack: embedded Aedes (or --broker), the real OTA server with SQLite in a temporary
 * directory, a consumer that de-duplicates; releases signed with a key made at start.
 * Logic mode: the same devices against in-memory models of broker and check-in (sim/logic/).
 *
 * Faults (sim/faults.ts) are events in the same queue; Wi-Fi loss is looked up per wake.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProvisionAnswer } from '../firmware/index.js';
import { createSeededRandom } from '../hosts/node/random.js';
import { cohortBucket } from '../ota-server/domain/cohort.js';
import { EventQueue } from './clock/event-queue.js';
import type { DeviceSpec, WakeSummary } from './device/program.js';
import type { Engine } from './engine.js';
import { childHost, createHostedEngine, localHost } from './hosting/remote-engine.js';
import { awakeTime } from './energy.js';
import { selectDevices, describeFault, inIntervals, type Fault, type Interval } from './faults.js';
import { modelInputs, traceInputs, type InputSource } from './inputs/models.js';
import { traceDurationMs } from './inputs/trace.js';
import { RunMetrics } from './metrics.js';
import { startEmbeddedBroker, startExternalBroker, type SimBroker } from './net/broker.js';
import { startConsumer, type Consumer } from './net/consumer.js';
import type { ReceivedLog } from './net/received.js';
import {
  createSigningKey, publishRelease, rolloutDevices, rolloutStatus, startRollout, type RolloutStatus, type SigningKey,
} from './net/releases.js';
import { startSimServer, type SimServer } from './net/server.js';
import { deviceConfig, deviceId, withDefaults, type SimOptions } from './options.js';
import { createXsEngine } from './xs/engine.js';
import { computeResult, type HerdResult, type HerdTwin, type ReleaseRecord, type SimResult } from './result.js';

export const SIM_BOARD = 'esp32s3-sim';
export const FACTORY_VERSION = '1.0.0';
const TICK_MS = 5 * 60_000;

export interface ProgressInfo {
  phase: string;
  virtualMs: number;
  spanMs: number;
  cycles: number;
  messages: number;
  backlog: number;
}

export interface RunHooks {
  onProgress?(p: ProgressInfo): void;
  /** One line of what happens (faults, releases, rollout changes). */
  onEvent?(line: string): void;
}

type Ev =
  | { k: 'wake'; i: number; gen: number }
  | { k: 'tick' }
  | { k: 'fault'; fault: Fault; phase: 'start' | 'end' };

interface Outages { broker: Interval[]; server: Interval[] }

function wifiIntervals(options: SimOptions, ids: readonly string[], random: { next(): number }): Interval[][] {
  const per: Interval[][] = ids.map(() => []);
  for (const f of options.faults) {
    if (f.kind !== 'wifi-loss') continue;
    for (const id of selectDevices(f.target, ids, random)) per[ids.indexOf(id)]!.push({ startMs: f.atMs, endMs: f.atMs + f.durationMs });
  }
  return per;
}

function driftOf(options: SimOptions, ids: readonly string[], random: { next(): number }): number[] {
  const drift = ids.map(() => (random.next() * 2 - 1) * options.defaultDriftPpm);
  for (const f of options.faults) {
    if (f.kind !== 'clock-drift') continue;
    const chosen = selectDevices(f.target, ids, random);
    for (const id of chosen) drift[ids.indexOf(id)] = f.target.kind === 'device' ? f.ppm : (random.next() * 2 - 1) * f.ppm;
  }
  return drift;
}

function outagesOf(faults: readonly Fault[]): Outages {
  const o: Outages = { broker: [], server: [] };
  for (const f of faults) {
    if (f.kind === 'broker-outage') o.broker.push({ startMs: f.atMs, endMs: f.atMs + f.durationMs });
    if (f.kind === 'server-outage') o.server.push({ startMs: f.atMs, endMs: f.atMs + f.durationMs });
  }
  return o;
}

export function inputsFor(options: SimOptions, spanMs: number, seed: number): InputSource {
  if (options.trace === undefined) {
    return modelInputs({ runStartMs: options.startUtcMs, runMs: spanMs, seed, heatEventsPerDay: options.heatEventsPerDay });
  }
  const random = createSeededRandom(seed ^ 0x5bd1e995);
  const spread = Math.min(options.traceSpreadMs, Math.max(0, traceDurationMs(options.trace)));
  return traceInputs(options.trace, { runStartMs: options.startUtcMs, offsetMs: Math.floor(random.next() * spread), noise: options.traceNoise, seed });
}

/** Runs one simulation; `partial` options are filled from DEFAULT_OPTIONS. */
export async function runSimulation(partial: Partial<SimOptions>, hooks: RunHooks = {}): Promise<SimResult> {
  const options = withDefaults(partial);
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const spanMs = Math.round(options.hours * 3_600_000);
  const start = options.startUtcMs;
  const end = start + spanMs;
  const random = createSeededRandom(options.seed);
  const runTag = `s${(options.seed >>> 0).toString(36)}${Date.now().toString(36).slice(-5)}`;
  const ids = Array.from({ length: options.devices }, (_, i) => deviceId(i, options.devices, options.broker === undefined ? undefined : runTag));
  const seeds = ids.map(() => Math.floor(random.next() * 2 ** 31));
  const phases = ids.map(() => Math.floor(random.next() * options.phaseSpreadMs));
  const faultRandom = random.fork();
  const wifiDown = wifiIntervals(options, ids, faultRandom);
  const drift = driftOf(options, ids, faultRandom);
  const outages = outagesOf(options.faults);
  const inputs = ids.map((_, i) => inputsFor(options, spanMs, seeds[i]!));
  const sensors = inputs[0]!.sensors;
  const topicPrefix = options.broker === undefined ? 'sim' : `sim/${runTag}`;
  const metrics = new RunMetrics(options.devices, start, spanMs);
  if (outages.broker[0] !== undefined) metrics.reconnectAfterMs = start + outages.broker[0].endMs;
  const deviceNow = new Map<string, number>();
  let now = start;
  const event = (line: string): void => hooks.onEvent?.(`[${((now - start) / 3_600_000).toFixed(2).padStart(6)} h] ${line}`);
  const cleanups: (() => Promise<void>)[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'sim-'));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));

  let broker: SimBroker | undefined;
  let consumer: Consumer | undefined;
  let server: SimServer | undefined;
  let signingKey: SigningKey | undefined;
  let engine: Engine | undefined;
  const releases: ReleaseRecord[] = [];
  const pendingReleases: { bad: boolean; atMs: number }[] = [];
  let result: SimResult | undefined;

  try {
    hooks.onProgress?.({ phase: 'starting', virtualMs: 0, spanMs, cycles: 0, messages: 0, backlog: 0 });
    const baseSpec = {
      factory: { version: FACTORY_VERSION, securityVersion: 0, board: SIM_BOARD, imageBytes: options.ota.imageBytes },
      outboxBytes: options.outboxBytes,
      backoff: { ...options.backoff, jitter: options.jitter },
      energy: options.energy,
    };
    const specs: DeviceSpec[] = ids.map((id, i) => ({
      ...baseSpec,
      id,
      seed: seeds[i]!,
      config: deviceConfig(id, sensors, topicPrefix, options.config),
      clock: { startUtcMs: start + phases[i]!, rtcStartMs: 0, driftPpm: drift[i]! },
      battery: { capacityMah: 3000, socPercent: 70 + 30 * ((seeds[i]! % 1000) / 1000) },
    }));

    if (options.mode === 'full') {
      broker = options.broker === undefined ? await startEmbeddedBroker() : await startExternalBroker(options.broker);
      const b = broker;
      cleanups.push(() => b.close());
      consumer = await startConsumer(broker.consumerUrl, topicPrefix, `sim-consumer-${runTag}`);
      const c = consumer;
      cleanups.push(async () => {
        // A shared broker keeps retained births: clear this run's.
        if (options.broker !== undefined) await c.clearRetained(ids.map((id) => `${topicPrefix}/${id}/status`));
        await c.close();
      });
      server = await startSimServer({
        dataDir: join(tmp, 'server'), broker: { host: broker.deviceHost, port: broker.devicePort }, topicPrefix,
        now: () => now, deviceNow: (id) => deviceNow.get(id),
      });
      const s = server;
      cleanups.push(() => s.close());
      signingKey = createSigningKey(tmp);
      const k = await server.api('POST', '/v1/keys', { name: 'sim release key', publicKey: signingKey.publicKeyHex });
      if (k.status !== 201) throw new Error(`trust key: HTTP ${k.status} ${JSON.stringify(k.body)}`);
      const registered = await server.api<{ devices: { id: string; claimSecret: string }[] }>('POST', '/v1/devices/import', {
        devices: ids.map((id) => ({ id, board: SIM_BOARD, tags: [] })),
      });
      if (registered.status !== 201) throw new Error(`register devices: HTTP ${registered.status} ${JSON.stringify(registered.body)}`);
      const claims = new Map(registered.body.devices.map((d) => [d.id, d.claimSecret]));
      const net = { serverHost: server.host, serverPort: server.port, brokerPort: broker.devicePort };
      const ota = { trustedKeysHex: [signingKey.publicKeyHex], slotSize: options.ota.slotSize, budgetBytes: options.ota.budgetBytes, healthTimeoutMs: options.ota.healthTimeoutMs };
      for (const spec of specs) {
        spec.net = net;
        spec.claimSecret = claims.get(spec.id)!;
        spec.ota = ota;
      }
      if (options.engine === 'xs') {
        engine = await createXsEngine(specs, { workers: options.workers });
      } else {
        engine = await createHostedEngine('node', 'full', specs, hostsFor(options.workers));
      }
    } else {
      for (const spec of specs) {
        const credentials: ProvisionAnswer = {
          deviceToken: `dtok_${spec.id}_0123456789abcdef`,
          mqtt: { username: spec.id, password: 'x'.repeat(24), brokers: [{ host: 'broker.model', port: 1883 }], topicPrefix },
        };
        spec.credentials = credentials;
      }
      engine = await createHostedEngine('node', 'logic', specs, hostsFor(options.workers));
    }
    const eng = engine;
    cleanups.push(() => eng.close());

    // The thundering-herd twins run alongside (logic mode, their own device hosts).
    const outage = outages.broker[0];
    const herdRun = options.herd && outage !== undefined && outage.endMs < spanMs ? measureHerd(options, outage, hooks) : undefined;
    herdRun?.catch(() => undefined);

    // ---- the schedule --------------------------------------------------------------------
    const queue = new EventQueue<Ev>();
    const gen = ids.map(() => 0);
    ids.forEach((_, i) => queue.push(start + phases[i]!, { k: 'wake', i, gen: 0 }));
    queue.push(start, { k: 'tick' });
    for (const f of options.faults) {
      if (f.kind === 'clock-drift') continue; // drawn per device before the run (driftOf)
      queue.push(start + f.atMs, { k: 'fault', fault: f, phase: 'start' });
      // An end at or after `end` is never popped: the loop stops there.
      if (f.kind === 'broker-outage' || f.kind === 'server-outage' || f.kind === 'wifi-loss') {
        queue.push(start + f.atMs + f.durationMs, { k: 'fault', fault: f, phase: 'end' });
      }
    }

    const timing: number[] = [];
    let wakeErrors = 0;
    let firstWakeError: string | undefined;
    const runWake = async (i: number, atMs: number): Promise<void> => {
      const device = eng.devices[i]!;
      const id = ids[i]!;
      const g = gen[i]!;
      let summary: WakeSummary;
      deviceNow.set(id, atMs);
      const t0 = performance.now();
      try {
        summary = await device.wake({ trueMs: atMs, values: inputs[i]!.sample(atMs), wifiUp: !inIntervals(wifiDown[i]!, atMs - start) });
      } catch (error) {
        wakeErrors++;
        firstWakeError ??= `${id} at ${new Date(atMs).toISOString()}: ${(error as Error).stack ?? String(error)}`;
        if (g === gen[i]) queue.push(atMs + TICK_MS, { k: 'wake', i, gen: g });
        return;
      } finally {
        deviceNow.delete(id);
      }
      if (process.env.SIM_TIMING !== undefined) {
        const dt = performance.now() - t0;
        timing.push(dt);
        if (dt > 200) process.stderr.write(`slow wake ${id} ${dt.toFixed(0)} ms: ${JSON.stringify({ w: summary.window, c: summary.activity.cycles, b: summary.activity.boots, t: summary.traffic.connects })}\n`);
      }
      metrics.record(i, summary);
      if (g !== gen[i]) return; // power was cut while it ran: the cut scheduled the next boot
      let next: number;
      if (summary.stayAwakeMs !== undefined) {
        // A pending image waits awake (light sleep), then runs its next cycle: the cycle itself
        // took its modelled awake time, during which its virtual clock stood still.
        const waitMs = Math.max(1000, Math.round(summary.stayAwakeMs));
        const awake = awakeTime(summary.activity, options.energy);
        metrics.idle(i, waitMs);
        await device.idle(waitMs);
        next = atMs + Math.round(awake.cpuMs + awake.radioMs) + waitMs;
      } else {
        next = atMs + Math.max(1000, Math.round(summary.sleepMs / (1 + drift[i]! / 1e6)));
      }
      queue.push(next, { k: 'wake', i, gen: g });
    };

    const startPendingRelease = async (): Promise<void> => {
      if (server === undefined || signingKey === undefined || pendingReleases.length === 0) return;
      const busy = releases.find((r) => r.state === 'active' || r.state === 'paused');
      if (busy !== undefined) return;
      const p = pendingReleases.shift()!;
      const n = releases.length + 1;
      const spec = {
        version: `1.${n}.0`, securityVersion: n, board: SIM_BOARD, behaviour: p.bad ? 'fails-health' as const : 'healthy' as const, imageBytes: options.ota.imageBytes,
      };
      const release = await publishRelease(server, tmp, signingKey, spec);
      const id = await startRollout(server, release, options.rollout);
      const record: ReleaseRecord = {
        version: spec.version, kind: p.bad ? 'bad' : 'good', rolloutId: id, scheduledAtMs: p.atMs - start, startedAtMs: now - start, state: 'active',
        stateReason: null, stageIndex: 0, stages: options.rollout.stages, stageReachedAtMs: [now - start], counts: {}, timeline: [], perStage: [],
      };
      releases.push(record);
      event(`rollout ${id}: ${spec.version} (${record.kind}) at stages ${options.rollout.stages.join(', ')} %`);
    };

    const tick = async (): Promise<void> => {
      metrics.sampleOutbox(now);
      if (server === undefined) return;
      await server.app.services.rollouts.tick();
      for (const r of releases) {
        // Finished rollouts are still watched: devices report their outcomes after the end.
        let st: RolloutStatus = await rolloutStatus(server, r.rolloutId);
        const soakMs = options.rollout.soakSeconds * 1000;
        if (st.state === 'active' && st.stageIndex === st.stages.length - 1 && now - st.stageStartedAtMs >= soakMs) {
          // The last stage has soaked: the operator completes the rollout (it frees the target).
          const done = await server.api('POST', `/v1/rollouts/${r.rolloutId}/advance`, { reason: 'last stage soaked' });
          if (done.status === 200) st = await rolloutStatus(server, r.rolloutId);
        }
        while (r.stageReachedAtMs.length <= st.stageIndex) r.stageReachedAtMs.push(now - start);
        if (st.state !== r.state) event(`rollout ${r.version}: ${r.state} -> ${st.state}${st.stateReason === null ? '' : ` (${st.stateReason})`}`);
        adoptStatus(r, st);
        r.timeline.push({ tMs: now - start, stageIndex: st.stageIndex, state: st.state, counts: { ...st.counts } });
      }
      await startPendingRelease();
    };

    const onFault = async (f: Fault, phase: 'start' | 'end', atMs: number): Promise<void> => {
      switch (f.kind) {
        case 'broker-outage':
        case 'server-outage': {
          const isBroker = f.kind === 'broker-outage';
          const name = isBroker ? 'broker' : 'server';
          const service = isBroker ? broker : server;
          const up = phase === 'end';
          event(up ? `${name} back` : `${name} outage begins (${describeFault(f)})`);
          if (service !== undefined) await (up ? service.start() : service.stop());
          await eng.setModel?.(isBroker ? { brokerUp: up } : { serverUp: up });
          return;
        }
        case 'wifi-loss':
          event(`${describeFault(f)}: Wi-Fi ${phase === 'start' ? 'lost' : 'back'}`);
          return;
        case 'power-cut': {
          const chosen = selectDevices(f.target, ids, faultRandom);
          event(`power cut: ${chosen.length} device(s)${f.durationMs > 0 ? ` for ${(f.durationMs / 60_000).toFixed(0)} min` : ''}`);
          for (const id of chosen) {
            const i = ids.indexOf(id);
            gen[i]!++;
            await eng.devices[i]!.powerCut();
            queue.push(atMs + Math.max(1, f.durationMs), { k: 'wake', i, gen: gen[i]! });
          }
          metrics.powerCuts += chosen.length;
          return;
        }
        case 'release':
        case 'bad-release':
          if (server === undefined) return;
          pendingReleases.push({ bad: f.kind === 'bad-release', atMs });
          await startPendingRelease();
          return;
        default:
      }
    };

    // ---- the loop --------------------------------------------------------------------------
    let lastProgress = 0;
    const progress = (phase: string): void => {
      const t = performance.now();
      if (t - lastProgress < 100 && phase === 'running') return;
      lastProgress = t;
      let backlog = 0;
      for (const d of metrics.devices) backlog += d.outboxRecords;
      hooks.onProgress?.({ phase, virtualMs: now - start, spanMs, cycles: metrics.cycles, messages: metrics.messagesPerHour.reduce((a, b) => a + b, 0), backlog });
    };
    for (;;) {
      const head = queue.peek();
      if (head === undefined || head.atMs >= end) break;
      now = head.atMs;
      const ev = head.value;
      if (ev.k !== 'wake') {
        queue.pop();
        if (ev.k === 'tick') {
          await tick();
          queue.push(head.atMs + TICK_MS, { k: 'tick' });
        } else {
          await onFault(ev.fault, ev.phase, head.atMs);
        }
        progress('running');
        continue;
      }
      const limit = Math.min(head.atMs + options.sliceMs, end);
      const batch: { i: number; atMs: number }[] = [];
      const max = options.mode === 'logic' ? Number.POSITIVE_INFINITY : options.concurrency;
      while (batch.length < max) {
        const h = queue.peek();
        if (h === undefined || h.value.k !== 'wake' || (h.atMs >= limit && batch.length > 0)) break;
        queue.pop();
        const w = h.value;
        if (w.gen === gen[w.i]) batch.push({ i: w.i, atMs: h.atMs });
      }
      if (batch.length === 1) await runWake(batch[0]!.i, batch[0]!.atMs);
      else if (batch.length > 1) await Promise.all(batch.map((b) => runWake(b.i, b.atMs)));
      progress('running');
    }
    now = end;
    if (timing.length > 0) {
      timing.sort((a, b) => a - b);
      const q = (p: number): string => timing[Math.floor(p * (timing.length - 1))]!.toFixed(1);
      process.stderr.write(`wake ms: p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} max ${q(1)} sum ${(timing.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s\n`);
    }
    progress('draining');

    // ---- the end -----------------------------------------------------------------------------
    if (broker !== undefined && !broker.up) await broker.start();
    if (server !== undefined && !server.up) await server.start();
    let acked = 0;
    for (const d of metrics.devices) acked += d.acked;
    let drained = true;
    if (consumer !== undefined) drained = await consumer.waitForPacks(acked, options.drainTimeoutMs);
    const queued = await eng.queued();
    const logCounts = await eng.logCounts();
    let received: ReceivedLog;
    let checkIns: number;
    if (consumer !== undefined) {
      received = consumer.log;
      checkIns = metrics.devices.reduce((a, d) => a + d.checkIns, 0);
    } else {
      const r = await eng.received!();
      received = r.log;
      checkIns = r.checkIns;
    }
    if (server !== undefined) {
      for (const r of releases) {
        adoptStatus(r, await rolloutStatus(server, r.rolloutId));
        r.devices = await rolloutDevices(server, r.rolloutId);
        r.perStage = perStageCounts(r, ids);
      }
    }

    let herd: HerdResult | undefined;
    if (herdRun !== undefined) {
      progress('herd');
      herd = await herdRun;
    }
    const hostCpu = await eng.cpuSeconds();
    result = computeResult({
      options, metrics, received, queued, releases, herd, outages, wifiDown, phases, ids, inputsFor: (i) => inputsFor(options, spanMs, seeds[i]!),
      wallSeconds: (performance.now() - wallStart) / 1000, drained,
      cpuSeconds: { simulator: cpuSince(cpuStart), deviceHosts: hostCpu }, logCounts, wakeErrors, firstWakeError, brokerKind: broker?.kind ?? 'model',
      checkIns,
    });
    return result;
  } finally {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        // best effort: a run's result does not depend on a clean teardown
      }
    }
  }
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

function adoptStatus(r: ReleaseRecord, st: RolloutStatus): void {
  r.state = st.state;
  r.stateReason = st.stateReason;
  r.stageIndex = st.stageIndex;
  r.counts = st.counts;
}

/** Device hosts: this process (0 workers) or child processes. */
function hostsFor(workers: number): ReturnType<typeof localHost>[] {
  if (workers <= 0) return [localHost()];
  return Array.from({ length: workers }, () => childHost());
}

/** Devices by the stage that first includes them (deterministic cohorts), with their rollout states. */
function perStageCounts(r: ReleaseRecord, ids: readonly string[]): ReleaseRecord['perStage'] {
  const states = new Map((r.devices ?? []).map((d) => [d.deviceId, d.state]));
  const out = r.stages.map((percent) => ({ percent, devices: 0, counts: {} as Record<string, number> }));
  for (const id of ids) {
    const bucket = cohortBucket(r.rolloutId, id);
    const k = r.stages.findIndex((p) => bucket < p);
    if (k < 0) continue;
    const stage = out[k]!;
    stage.devices++;
    const state = states.get(id) ?? 'not offered';
    stage.counts[state] = (stage.counts[state] ?? 0) + 1;
  }
  return out;
}

/**
 * Thundering herd: the same fleet in logic mode through the first broker outage, twice: the
 * firmware's backoff with full jitter, and without (every delay at its ceiling). The fleet is
 * powered on together (the worst case: a site that lost power comes back at once), so the
 * devices fail together when the broker goes. Measured: each device's first connection after
 * the broker returns, peak per virtual second, and how long until half and 95 % are back.
 */
export async function measureHerd(options: SimOptions, outage: Interval, hooks: RunHooks = {}): Promise<HerdResult> {
  const windowMs = 2 * 3_600_000;
  // The twins need only the outage and the two hours after it: the fleet settles for an hour
  // (it boots, learns the time, reports), then the outage of the same length strikes.
  const settleMs = Math.min(outage.startMs, 3_600_000);
  const twinOutage = { startMs: settleMs, endMs: settleMs + (outage.endMs - outage.startMs) };
  const hours = (twinOutage.endMs + windowMs) / 3_600_000;
  const twin = async (jitter: boolean): Promise<HerdTwin> => {
    const r = await runSimulation({
      ...options,
      mode: 'logic', engine: 'node', hours, jitter, herd: false, phaseSpreadMs: 0, workers: Math.min(1, options.workers),
      faults: [
        { kind: 'broker-outage', atMs: twinOutage.startMs, durationMs: twinOutage.endMs - twinOutage.startMs },
        ...options.faults.filter((f) => f.kind === 'clock-drift'),
      ],
    }, { onProgress: (p) => hooks.onProgress?.({ ...p, phase: `herd (jitter ${jitter ? 'on' : 'off'})` }) });
    hooks.onEvent?.(`thundering-herd twin (jitter ${jitter ? 'on' : 'off'}) done`);
    const m = r.metrics;
    const from = options.startUtcMs + twinOutage.endMs;
    const wave = m.reconnectWave();
    return {
      peak: wave.peak,
      peakAfterMinutes: wave.peakAtMs === undefined ? null : (wave.peakAtMs - from) / 60_000,
      p50Minutes: wave.p50Ms === undefined ? null : wave.p50Ms / 60_000,
      p95Minutes: wave.p95Ms === undefined ? null : wave.p95Ms / 60_000,
      reconnected: wave.reconnected,
      perMinute: m.reconnectSeries(from, from + windowMs, 60_000),
    };
  };
  const [withJitter, withoutJitter] = await Promise.all([twin(true), twin(false)]);
  return { withJitter, withoutJitter, outageEndHours: outage.endMs / 3_600_000, outageHours: (outage.endMs - outage.startMs) / 3_600_000, devices: options.devices };
}
