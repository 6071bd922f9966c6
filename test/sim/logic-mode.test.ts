/**
 * Logic mode: the same firmware core against in-memory models of broker and check-in. Same
 * seed, same result (to the byte, wall and CPU time aside), whatever the number of device hosts;
 * another seed, another fleet. The thundering-herd twins: without jitter the fleet comes back
 * in one wave, with full jitter it is spread out.
 */
import { describe, expect, it } from 'vitest';
import { parseFault } from '../../sim/faults.js';
import type { SimSummary } from '../../sim/result.js';
import { measureHerd, runSimulation } from '../../sim/run.js';
import { withDefaults } from '../../sim/options.js';

const faults = ['broker-outage@2h+1h', 'wifi-loss:10%@1h+2h', 'server-outage@4h+30m', 'power-cut:5%@3h', 'clock-drift:80ppm'].map(parseFault);

function comparable(s: SimSummary): Omit<SimSummary, 'wallSeconds' | 'cpuSeconds'> {
  const { wallSeconds: _w, cpuSeconds: _c, ...rest } = s;
  return rest;
}

describe('logic mode', () => {
  it('is deterministic: same seed, same JSON; another seed differs', async () => {
    const run = (seed: number, workers: number) => runSimulation({ mode: 'logic', devices: 60, hours: 6, seed, workers, faults, herd: false });
    const [a, b, c] = await Promise.all([run(5, 0), run(5, 2), run(6, 0)]);
    expect(JSON.stringify(comparable(a.summary))).toBe(JSON.stringify(comparable(b.summary)));
    expect(a.details.messagesPerHour).toEqual(b.details.messagesPerHour);
    expect(JSON.stringify(comparable(a.summary))).not.toBe(JSON.stringify(comparable(c.summary)));
    expect(a.summary.readingsLost).toBe(0);
    expect(a.summary.powerCuts).toBe(3);
    expect(a.summary.cycles).toBeGreaterThan(60 * 6 * 10);
    expect(a.summary.mode).toBe('logic');
  }, 120_000);

  it('refuses releases (they need the real server)', async () => {
    await expect(runSimulation({ mode: 'logic', devices: 2, hours: 1, faults: [parseFault('release@10m')] })).rejects.toThrow(/full mode/);
  });

  it('thundering herd: without jitter the fleet reconnects in one wave, with jitter spread out', async () => {
    const options = withDefaults({ devices: 100, hours: 6, workers: 0, faults: [parseFault('broker-outage@2h+1h')] });
    const h = await measureHerd(options, { startMs: 2 * 3_600_000, endMs: 3 * 3_600_000 });
    expect(h.withJitter.reconnected).toBe(100);
    expect(h.withoutJitter.reconnected).toBe(100);
    expect(h.withoutJitter.peak).toBeGreaterThan(3 * h.withJitter.peak);
    expect(Math.max(...h.withoutJitter.perMinute)).toBeGreaterThan(50);
    expect(h.withJitter.p95Minutes!).toBeGreaterThan(h.withoutJitter.p95Minutes!);
  }, 120_000);
});
