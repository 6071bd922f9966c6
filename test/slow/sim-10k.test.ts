/**
 * Fleet size (npm run test:slow): 10,000 devices, each the real firmware core, for 24 virtual
 * hours in logic mode (in-memory broker and check-in), through a 2-hour broker outage and a
 * power cut of 1 % of the fleet. Nothing that was produced is lost, every alarm arrives, and the
 * thundering-herd twins show the jitter's effect at this size.
 */
import { describe, expect, it } from 'vitest';
import { parseFault } from '../../sim/faults.js';
import { runSimulation } from '../../sim/run.js';

describe('10,000 devices x 24 h in logic mode', () => {
  it('runs through an outage with nothing lost', async () => {
    const r = await runSimulation({
      mode: 'logic', devices: 10_000, hours: 24, seed: 10_000,
      faults: ['broker-outage@10h+2h', 'power-cut:1%@16h'].map(parseFault),
    }, { onProgress: (p) => { if (p.phase === 'draining') process.stderr.write(`10k: ${p.cycles} cycles\n`); } });
    const s = r.summary;
    process.stderr.write(`${JSON.stringify({
      wallSeconds: s.wallSeconds, cycles: s.cycles, cyclesPerSec: Math.round(s.cycles / s.wallSeconds), messages: s.messages, readingsLost: s.readingsLost,
      alarms: `${s.alarmsDelivered}/${s.alarmsRaised}`, herd: s.thunderingHerd, batteryDaysMedian: s.batteryDaysMedian, cpu: s.cpuSeconds,
    })}\n`);
    expect(s.devices).toBe(10_000);
    expect(s.wakeErrors, s.firstWakeError).toBe(0);
    expect(s.cycles).toBeGreaterThan(10_000 * 24 * 12);
    expect(s.readingsLost).toBe(0);
    expect(s.readingsDelivered + s.readingsQueuedAtEnd).toBe(s.readingsProduced);
    expect(s.alarmsDelivered).toBe(s.alarmsRaised);
    expect(s.powerCuts).toBe(100);
    expect(s.messages).toBeLessThan(s.baselineMessages);
    expect(s.thunderingHerd.withoutJitterPeak!).toBeGreaterThan(5 * s.thunderingHerd.withJitterPeak!);
  }, 3_600_000);
});
