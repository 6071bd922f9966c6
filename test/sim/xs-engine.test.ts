/**
 * --engine xs: each device's core inside xsnap (the XS engine), sockets and timers bridged to a
 * locked-down child process, against the same embedded broker and OTA server. The results
 * match what the same devices do on Node: nothing lost, the same packs delivered.
 */
import { describe, expect, it } from 'vitest';
import { parseFault } from '../../sim/faults.js';
import { runSimulation } from '../../sim/run.js';

describe('XS engine', () => {
  it('runs the fleet on XS through a broker outage, nothing lost, like on Node', async () => {
    const options = { devices: 3, hours: 2, seed: 4, workers: 2, herd: false, faults: [parseFault('broker-outage@40m+20m')] };
    const xs = await runSimulation({ ...options, engine: 'xs' });
    expect(xs.summary.engine).toBe('xs');
    expect(xs.summary.wakeErrors, xs.summary.firstWakeError).toBe(0);
    expect(xs.summary.readingsLost).toBe(0);
    expect(xs.summary.readingsProduced).toBeGreaterThan(20);
    expect(xs.summary.firmwareLog['mqtt.open_failed']).toBeGreaterThan(0);
    const node = await runSimulation({ ...options, engine: 'node' });
    // Same inputs, same firmware, another engine: the same readings go out.
    expect(xs.summary.readingsProduced).toBe(node.summary.readingsProduced);
    expect(xs.summary.cycles).toBe(node.summary.cycles);
  }, 180_000);
});
