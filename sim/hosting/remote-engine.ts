/**
 * The run loop's view of device hosts (sim/hosting/device-host.ts) wherever they live: in this
 * process, or in child processes so that the firmware cores of a full-stack run use every CPU
 * core while this process keeps the scheduler, the broker, the server and the consumer.
 *
 * Device i lives in host i mod H at position floor(i / H). Wakes asked for in the same tick
 * (one batch of the run loop) travel as one request per host.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceSpec, WakeInput, WakeSummary } from '../device/program.js';
import type { DeviceHandle, Engine } from '../engine.js';
import { emptyReceivedLog, mergeReceived, type ReceivedLog, type SerialReceivedLog } from '../net/received.js';
import { DeviceHost, type EnvKind, type HostRequest, type WakeReply } from './device-host.js';
import { mergeCounts } from './merge-counts.js';

export interface HostChannel {
  /** In this process: its CPU is the simulator's own. */
  readonly local: boolean;
  request(request: HostRequest): Promise<unknown>;
  close(): Promise<void>;
}

export interface HostedEngine extends Engine {
  setModel(model: { brokerUp?: boolean; serverUp?: boolean }): Promise<void>;
  received(): Promise<{ log: ReceivedLog; checkIns: number }>;
}

/** A host in this process. */
export function localHost(): HostChannel {
  const host = new DeviceHost();
  return { local: true, request: (r) => host.handle(r), close: async () => undefined };
}

const here = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(here, '..', '..');

/** A host in a child process (`node --import tsx sim/hosting/node-host.ts`, or another entry). */
export function childHost(entry = join(here, 'node-host.ts'), execArgv: string[] = ['--import', 'tsx']): HostChannel {
  const extra = process.env['SIM_HOST_EXECARGV'];
  const args = extra === undefined || extra === '' ? execArgv : [...execArgv, ...extra.split(' ')];
  const child: ChildProcess = fork(entry, [], { cwd: REPO_ROOT, execArgv: args, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 1;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let exited: Error | undefined;
  child.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    if (w === undefined) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.value);
    else w.reject(new Error(`device host: ${m.error}`));
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`device host ${entry} exited (${code ?? signal})`);
    for (const w of waiting.values()) w.reject(exited);
    waiting.clear();
  });
  return {
    local: false,
    request(request) {
      if (exited !== undefined) return Promise.reject(exited);
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, request });
      });
    },
    async close() {
      if (exited !== undefined) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        await this.request({ op: 'close' });
      } catch {
        // exited meanwhile
      }
      const timer = setTimeout(() => child.kill(), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export async function createHostedEngine(name: string, env: EnvKind, specs: readonly DeviceSpec[], hosts: readonly HostChannel[]): Promise<HostedEngine> {
  const H = hosts.length;
  if (H < 1) throw new RangeError('at least one device host');
  const parts: DeviceSpec[][] = hosts.map(() => []);
  specs.forEach((spec, i) => parts[i % H]!.push(spec));
  await Promise.all(hosts.map((h, k) => h.request({ op: 'init', env, specs: parts[k]! })));

  const pending: { i: number; input: WakeInput; resolve(s: WakeSummary): void; reject(e: Error): void }[][] = hosts.map(() => []);
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    hosts.forEach((host, k) => {
      const batch = pending[k]!;
      if (batch.length === 0) return;
      pending[k] = [];
      host.request({ op: 'wakes', items: batch.map((b) => ({ i: b.i, input: b.input })) }).then(
        (replies) => (replies as WakeReply[]).forEach((r, j) => {
          if (r.ok) batch[j]!.resolve(r.summary);
          else batch[j]!.reject(new Error(r.error));
        }),
        (error: Error) => batch.forEach((b) => b.reject(error)),
      );
    });
  };
  const devices = specs.map((spec, i): DeviceHandle => {
    const k = i % H;
    const local = Math.floor(i / H);
    const host = hosts[k]!;
    return {
      id: spec.id,
      wake: (input) => new Promise<WakeSummary>((resolve, reject) => {
        pending[k]!.push({ i: local, input, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(flush);
        }
      }),
      powerCut: async () => { await host.request({ op: 'powerCut', i: local }); },
      idle: async (ms) => { await host.request({ op: 'idle', i: local, ms }); },
    };
  });
  return {
    name,
    devices,
    async queued() {
      const per = (await Promise.all(hosts.map((h) => h.request({ op: 'queued' })))) as [number, number][][][];
      return specs.map((_, i) => per[i % H]![Math.floor(i / H)] ?? []);
    },
    async logCounts() {
      return mergeCounts((await Promise.all(hosts.map((h) => h.request({ op: 'logCounts' })))) as Record<string, number>[]);
    },
    async cpuSeconds() {
      const remote = hosts.filter((h) => !h.local);
      return ((await Promise.all(remote.map((h) => h.request({ op: 'cpu' })))) as number[]).reduce((a, b) => a + b, 0);
    },
    async setModel(model) {
      await Promise.all(hosts.map((h) => h.request({ op: 'model', ...model })));
    },
    async received() {
      const log = emptyReceivedLog();
      let checkIns = 0;
      for (const h of hosts) {
        const r = (await h.request({ op: 'received' })) as { log: SerialReceivedLog; checkIns: number } | null;
        if (r === null) continue;
        mergeReceived(log, r.log);
        checkIns += r.checkIns;
      }
      return { log, checkIns };
    },
    async close() {
      await Promise.all(hosts.map((h) => h.close()));
    },
  };
}
