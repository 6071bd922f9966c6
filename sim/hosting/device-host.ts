/**
 * A device host: a set of simulated devices (DeviceProgram) and the environment they run in,
 * behind a small request protocol, so the run loop can keep them in its own process, in child
 * processes (one per CPU core, sim/hosting/node-host.ts), or hand them to xsnap (sim/xs/).
 *
 * Full stack: real sockets (hosts/node/socket.ts), real timers, node:crypto.
 * Logic mode: the in-memory broker and check-in models of this host; the run loop sets their
 * up/down state and collects what the modelled broker delivered.
 */
import { createNodeCrypto } from '../../hosts/node/crypto.js';
import { createNodeSocketPort } from '../../hosts/node/socket.js';
import { createSystemTimer } from '../../hosts/node/timer.js';
import { DeviceProgram, type DeviceEnv, type DeviceSpec, type WakeInput, type WakeSummary } from '../device/program.js';
import { createBrokerModel, MemoryLink, modelCheckIn, type BrokerModel, type CheckInModel } from '../logic/models.js';
import { emptyReceivedLog, serialiseReceived, type SerialReceivedLog } from '../net/received.js';
import { mergeCounts } from './merge-counts.js';

export type EnvKind = 'full' | 'logic';

export type WakeReply = { ok: true; summary: WakeSummary } | { ok: false; error: string };

/** Requests a host answers (index = the device's position in this host). */
export type HostRequest =
  | { op: 'init'; env: EnvKind; specs: DeviceSpec[] }
  | { op: 'wakes'; items: { i: number; input: WakeInput }[] }
  | { op: 'powerCut'; i: number }
  | { op: 'idle'; i: number; ms: number }
  | { op: 'queued' }
  | { op: 'logCounts' }
  | { op: 'model'; brokerUp?: boolean; serverUp?: boolean }
  | { op: 'received' }
  | { op: 'cpu' }
  | { op: 'close' };

export class DeviceHost {
  #programs: DeviceProgram[] = [];
  #broker: BrokerModel | undefined;
  readonly #checkIn: CheckInModel = { up: true, checkIns: 0 };

  init(env: EnvKind, specs: readonly DeviceSpec[]): void {
    const crypto = createNodeCrypto();
    let make: () => DeviceEnv;
    if (env === 'full') {
      const socket = createNodeSocketPort();
      const timer = createSystemTimer();
      make = () => ({ crypto, socket, timer });
    } else {
      const broker = createBrokerModel(emptyReceivedLog());
      this.#broker = broker;
      const checkIn = this.#checkIn;
      make = () => ({
        crypto,
        logic: {
          link: (id, radio, random, o) => new MemoryLink(id, broker, radio, random, o.backoff),
          checkIn: (_id, radio, request, trueMs) => modelCheckIn(checkIn, radio, request, trueMs),
        },
      });
    }
    // SIM_DEVICE_LOG=<device id>: that device's firmware warnings and errors on stderr (debugging).
    const watch = process.env['SIM_DEVICE_LOG'];
    this.#programs = specs.map((spec) => new DeviceProgram(spec, spec.id !== watch ? make() : {
      ...make(),
      log: (level, code, fields) => process.stderr.write(`${spec.id} ${level} ${code} ${JSON.stringify(fields ?? {})}\n`),
    }));
  }

  async wakes(items: readonly { i: number; input: WakeInput }[]): Promise<WakeReply[]> {
    const one = async (item: { i: number; input: WakeInput }): Promise<WakeReply> => {
      try {
        return { ok: true, summary: await this.#program(item.i).wake(item.input) };
      } catch (error) {
        return { ok: false, error: (error as Error).stack ?? String(error) };
      }
    };
    if (items.length === 1) return [await one(items[0]!)];
    return Promise.all(items.map(one));
  }

  #program(i: number): DeviceProgram {
    const p = this.#programs[i];
    if (p === undefined) throw new RangeError(`no device ${i} in this host`);
    return p;
  }

  async handle(request: HostRequest): Promise<unknown> {
    switch (request.op) {
      case 'init':
        this.init(request.env, request.specs);
        return null;
      case 'wakes':
        return this.wakes(request.items);
      case 'powerCut':
        this.#program(request.i).powerCut();
        return null;
      case 'idle':
        this.#program(request.i).idle(request.ms);
        return null;
      case 'queued':
        return this.#programs.map((p) => p.queuedSeqs());
      case 'logCounts':
        return mergeCounts(this.#programs.map((p) => p.logCounts()));
      case 'model':
        if (request.brokerUp !== undefined && this.#broker !== undefined) this.#broker.up = request.brokerUp;
        if (request.serverUp !== undefined) this.#checkIn.up = request.serverUp;
        return null;
      case 'received':
        return this.#broker === undefined ? null : { log: serialiseReceived(this.#broker.received), checkIns: this.#checkIn.checkIns } satisfies { log: SerialReceivedLog; checkIns: number };
      case 'cpu': {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      }
      case 'close':
        return null;
    }
  }
}
