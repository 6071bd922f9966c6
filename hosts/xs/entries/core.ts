/**
 * XS entry: one node of the reference config (temperature, humidity, pressure) on the pure
 * node-host ports, driven from Node one wake cycle per call, so xsnap meters exactly one
 * cycle (bench/core.bench.ts) and tests can compare it with the same node on Node.
 *
 *   setup {channels?: names to keep}   builds the node (createNode: validation, pipelines)
 *   cycle                              runWakeCycle, then the manual clock sleeps through
 *   last, lastPack                     what that cycle did, its pack (separate calls)
 *   noop                               the call envelope alone (subtracted from cycle)
 *   gc                                 collect garbage (xsnap's gc) before a measured call
 */
import { DEFAULT_NODE_CONFIG, type NodeConfig } from '../../../firmware/node/config.js';
import { createNode, type Node } from '../../../firmware/node/node.js';
import { runWakeCycle, type WakeResult } from '../../../firmware/node/wake-cycle.js';
import { createManualClock, type ManualClock } from '../../node/clock.js';
import { createMemoryKv } from '../../node/kv.js';
import { createFixedBattery, createSimulatedPower } from '../../node/power.js';
import { createSeededRandom } from '../../node/random.js';
import { createMemoryRetained } from '../../node/retained.js';
import { createBmp280Sim, createSht3xSim } from '../../node/sensors.js';
import { ramp, steps } from '../../node/signals.js';
import { createPrintLog } from '../guest/log.js';
import { serve } from '../guest/serve.js';

export const BENCH_EPOCH_MS = 1_735_689_600_000; // 2025-01-01T00:00:00Z
const HOUR = 3_600_000;

/** The bench node's config: DEFAULT_NODE_CONFIG restricted to the named channels. */
export function benchConfig(channels: readonly string[]): NodeConfig {
  return { ...DEFAULT_NODE_CONFIG, channels: DEFAULT_NODE_CONFIG.channels.filter((c) => channels.indexOf(c.name) >= 0) };
}

/** A node whose inputs are plain arithmetic of time (no Math.sin: libm differs between engines). */
export function benchNode(channels: readonly string[]): { node: Node; clock: ManualClock } {
  const clock = createManualClock({ utcMs: BENCH_EPOCH_MS });
  const power = createSimulatedPower({ battery: createFixedBattery(3.9), onDeepSleep: (ms) => clock.advance(ms) });
  const timeOf = (): number => clock.trueUtcMs();
  const sensors = [
    createSht3xSim({ clock, timeOf, temperature: ramp(BENCH_EPOCH_MS, 19, BENCH_EPOCH_MS + 6 * HOUR, 31), humidity: ramp(BENCH_EPOCH_MS, 40, BENCH_EPOCH_MS + 6 * HOUR, 64) }),
    createBmp280Sim({ clock, timeOf, pressure: steps([[BENCH_EPOCH_MS, 101_325], [BENCH_EPOCH_MS + HOUR, 101_100], [BENCH_EPOCH_MS + 2 * HOUR, 100_900]]) }),
  ];
  const node = createNode({
    clock, power, sensors, retained: createMemoryRetained(), kv: createMemoryKv(), log: createPrintLog('warn'),
    random: createSeededRandom(1), config: benchConfig(channels),
  });
  return { node, clock };
}

let current: Node | undefined;
let last: WakeResult | undefined;

serve({
  setup: (args) => {
    const channels = (args as { channels?: string[] } | null)?.channels ?? ['temp', 'hum', 'press'];
    current = benchNode(channels).node;
    return null;
  },
  // Returns nothing, like noop: the difference of the two calls' computrons is the cycle's own.
  cycle: async () => {
    if (current === undefined) throw new Error('call setup first');
    last = await runWakeCycle(current);
    return null;
  },
  /** What the last cycle did (a separate call: describing it is not part of its cost). */
  last: () => (last === undefined ? null : {
    cycle: last.cycle, readings: last.readings.length, alarms: last.alarms.length, packBytes: last.report?.pack.length ?? 0,
    sleepMs: last.next.sleepMs, retainedBytes: last.retainedBytes,
  }),
  /** The last cycle's pack, raw bytes (empty when it made none). */
  lastPack: () => last?.report?.pack ?? new Uint8Array(0),
  noop: () => null,
  /** A full collection, so that the next call's heapSlots counts what that call allocated. */
  gc: () => { (globalThis as { gc?: () => void }).gc?.(); return null; },
});
