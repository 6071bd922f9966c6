/** A node on the node host with a manual clock, for the wake-cycle tests. */
import { DEFAULT_NODE_CONFIG, type NodeConfig } from '../../../../firmware/node/config.js';
import { createNode, type CreateNodeOptions, type Node } from '../../../../firmware/node/node.js';
import type { UpdateStep, UplinkStep, WindowOutcome } from '../../../../firmware/node/steps.js';
import { runWakeCycle, type WakeResult } from '../../../../firmware/node/wake-cycle.js';
import {
  constant, createBmp280Sim, createFixedBattery, createManualClock, createMemoryKv, createMemoryLog, createMemoryRetained,
  createSeededRandom, createSht3xSim, createSimulatedPower, type Signal, type SensorFaults,
} from '../../../../hosts/node/index.js';

export interface FixtureOptions {
  config?: NodeConfig | unknown;
  temperature?: Signal;
  humidity?: Signal;
  pressure?: Signal;
  volts?: number | (() => number);
  faults?: SensorFaults;
  uplink?: UplinkStep;
  update?: UpdateStep;
  retainedCapacity?: number;
  wallMs?: number;
}

export function makeFixture(options: FixtureOptions = {}) {
  const clock = createManualClock(options.wallMs === undefined ? {} : { wallMs: options.wallMs });
  const power = createSimulatedPower({ battery: createFixedBattery(options.volts ?? 3.9), onDeepSleep: (ms) => clock.advance(ms) });
  const retained = createMemoryRetained(options.retainedCapacity);
  const kv = createMemoryKv();
  const log = createMemoryLog();
  const sensorOptions = { clock, timeOf: () => clock.trueUtcMs(), ...(options.faults === undefined ? {} : { faults: options.faults }) };
  const sensors = [
    createSht3xSim({ ...sensorOptions, temperature: options.temperature ?? constant(21.5), humidity: options.humidity ?? constant(45) }),
    createBmp280Sim({ ...sensorOptions, pressure: options.pressure ?? constant(101_325) }),
  ];
  const wiring = (): CreateNodeOptions => {
    const o: CreateNodeOptions = { clock, power, retained, kv, log, random: createSeededRandom(1), sensors, config: options.config ?? DEFAULT_NODE_CONFIG };
    if (options.uplink !== undefined) o.uplink = options.uplink;
    if (options.update !== undefined) o.update = options.update;
    return o;
  };
  const node: Node = createNode(wiring());
  return {
    clock, power, retained, kv, log, sensors, node, wiring,
    /** Runs n cycles on the same node object, sleeping in between (the clock advances). */
    async run(n: number, on: Node = node): Promise<WakeResult[]> {
      const results: WakeResult[] = [];
      for (let i = 0; i < n; i++) results.push(await runWakeCycle(on));
      return results;
    },
  };
}

export interface FakeUplink extends UplinkStep {
  enqueued: import('../../../../firmware/node/steps.js').Report[];
  windows: Array<Parameters<UplinkStep['openWindow']>[0]>;
  retryAtMs: number | undefined;
  answer: WindowOutcome;
  state: Uint8Array;
}

/** Records what the cycle asks of the uplink; answers every window with `answer`. */
export function fakeUplink(answer: WindowOutcome = { brokerReached: true, published: 0, checkIn: { serverTimeMs: 0 } }): FakeUplink {
  const up: FakeUplink = {
    enqueued: [],
    windows: [],
    retryAtMs: undefined,
    answer,
    state: Uint8Array.of(1, 2, 3),
    enqueue(report) { up.enqueued.push(report); },
    backlog() { return { records: 0, bytes: 0, highWater: false, dropped: 0, thinned: 0 }; },
    nextAttemptAtMs() { return up.retryAtMs; },
    async openWindow(context) { up.windows.push(context); return up.answer; },
    snapshot() { return up.state; },
    restore(bytes) { up.state = bytes; },
  };
  return up;
}
