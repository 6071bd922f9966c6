/**
 * XS entry of the simulator's XS engine: the same DeviceProgram (sim/device/program.ts) as on
 * Node, many devices per xsnap worker, their sockets and timers bridged to the host process
 * (hosts/xs/socket-bridge-guest.ts), crypto in pure JS (noble: what the device runs).
 *
 *   init  {specs}                         builds the devices
 *   wake  {token, i, input}               starts a wake; returns 'started'; the summary comes
 *                                         back through callHost('wake.done', {token, reply})
 *   powerCut {i} | idle {i, ms} | queued | logCounts
 */
import { createNobleCrypto } from '../../firmware/index.js';
import { callHost, serve } from '../../hosts/xs/guest/serve.js';
import { createBridgedPorts } from '../../hosts/xs/socket-bridge-guest.js';
import { DeviceProgram, type DeviceSpec, type WakeInput } from '../device/program.js';
import { mergeCounts } from '../hosting/merge-counts.js';

const bridge = createBridgedPorts();
const crypto = createNobleCrypto();
let programs: DeviceProgram[] = [];

function program(i: number): DeviceProgram {
  const p = programs[i];
  if (p === undefined) throw new RangeError(`no device ${i} in this worker`);
  return p;
}

serve({
  ...bridge.handlers,
  init: (args) => {
    const { specs } = args as { specs: DeviceSpec[] };
    programs = specs.map((spec) => new DeviceProgram(spec, { crypto, socket: bridge.socket, timer: bridge.timer }));
    return programs.length;
  },
  wake: (args) => {
    const { token, i, input } = args as { token: number; i: number; input: WakeInput };
    program(i).wake(input).then(
      (summary) => callHost('wake.done', { token, reply: { ok: true, summary } }),
      (error: unknown) => callHost('wake.done', { token, reply: { ok: false, error: `${(error as Error).message ?? String(error)} ${(error as Error).stack ?? ''}` } }),
    );
    return 'started';
  },
  powerCut: (args) => {
    program((args as { i: number }).i).powerCut();
    return null;
  },
  idle: (args) => {
    const { i, ms } = args as { i: number; ms: number };
    program(i).idle(ms);
    return null;
  },
  queued: () => programs.map((p) => p.queuedSeqs()),
  logCounts: () => mergeCounts(programs.map((p) => p.logCounts())),
});
