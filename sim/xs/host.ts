/**
 * The XS engine's device host: a child process (locked down by SES, as every process that runs
 * xsnap must be: docs/xs.md) that starts a few xsnap workers, each holding many devices
 * (sim/xs/entry.ts), and answers the device-host protocol (sim/hosting/device-host.ts) over IPC
 * by forwarding to them. Each worker's sockets and timers are bridged here (real TCP to the
 * simulator's broker and server). Device i lives in worker i mod W.
 */
import '@endo/init';
import { fileURLToPath } from 'node:url';
import { hostHandlers, startXsWorker, type XsWorker } from '../../hosts/xs/index.js';
import { createSocketBridge, type SocketBridge } from '../../hosts/xs/socket-bridge.js';
import type { DeviceSpec } from '../device/program.js';
import type { HostRequest, WakeReply } from '../hosting/device-host.js';
import { mergeCounts } from '../hosting/merge-counts.js';
import { serveOverIpc } from '../hosting/serve-ipc.js';

const entry = fileURLToPath(new URL('./entry.ts', import.meta.url));
const workersWanted = Math.max(1, Number(process.env['SIM_XS_WORKERS'] ?? '2'));

interface Slot { worker: XsWorker; bridge: SocketBridge }
let slots: Slot[] = [];
let nextToken = 1;
const waiting = new Map<number, (reply: WakeReply) => void>();
let computrons = 0;

async function start(count: number): Promise<void> {
  slots = await Promise.all(Array.from({ length: count }, async (_, k): Promise<Slot> => {
    const bridge = createSocketBridge();
    const worker = await startXsWorker({
      name: `sim-xs-${k}`,
      entry,
      // A wake's first crank can verify a signature and hash an image: allow it.
      meteringLimit: 0,
      handleCommand: hostHandlers({
        ...bridge.handlers,
        'wake.done': (args) => {
          const { token, reply } = args as { token: number; reply: WakeReply };
          const resolve = waiting.get(token);
          waiting.delete(token);
          resolve?.(reply);
          return null;
        },
      }),
    });
    bridge.attach(worker);
    return { worker, bridge };
  }));
}

async function call<T>(slot: Slot, op: string, args?: unknown): Promise<T> {
  const { reply, meter } = await slot.worker.call<T>(op, args);
  computrons += meter.computrons;
  return reply;
}

const W = (): number => slots.length;

async function handle(request: HostRequest): Promise<unknown> {
  switch (request.op) {
    case 'init': {
      if (request.env !== 'full') throw new Error('the XS engine runs full-stack devices');
      await start(Math.min(workersWanted, Math.max(1, request.specs.length)));
      const parts: DeviceSpec[][] = slots.map(() => []);
      request.specs.forEach((s, i) => parts[i % W()]!.push(s));
      await Promise.all(slots.map((slot, k) => call(slot, 'init', { specs: parts[k] })));
      return null;
    }
    case 'wakes':
      return Promise.all(request.items.map(async ({ i, input }) => {
        const token = nextToken++;
        const done = new Promise<WakeReply>((resolve) => waiting.set(token, resolve));
        try {
          await call(slots[i % W()]!, 'wake', { token, i: Math.floor(i / W()), input });
        } catch (error) {
          waiting.delete(token);
          return { ok: false, error: (error as Error).message } satisfies WakeReply;
        }
        return done;
      }));
    case 'powerCut':
      return call(slots[request.i % W()]!, 'powerCut', { i: Math.floor(request.i / W()) });
    case 'idle':
      return call(slots[request.i % W()]!, 'idle', { i: Math.floor(request.i / W()), ms: request.ms });
    case 'queued': {
      const per = await Promise.all(slots.map((s) => call<[number, number][][]>(s, 'queued')));
      const total = per.reduce((n, p) => n + p.length, 0);
      return Array.from({ length: total }, (_, i) => per[i % W()]![Math.floor(i / W())] ?? []);
    }
    case 'logCounts':
      return mergeCounts(await Promise.all(slots.map((s) => call<Record<string, number>>(s, 'logCounts'))));
    case 'model':
      return null;
    case 'received':
      return null;
    case 'cpu': {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    }
    case 'close':
      for (const s of slots) s.bridge.close();
      await Promise.all(slots.map((s) => s.worker.close()));
      process.stderr.write(`xs engine: ${slots.length} xsnap workers, ${(computrons / 1e9).toFixed(2)} G computrons\n`);
      return null;
  }
}

serveOverIpc(handle);
