import { beforeAll, describe, expect, it } from 'vitest';
import type { SimDevice } from '../../tools/ota/sim/device.js';
import { BAD_IMAGES, badImageMatrix, makeBaseline, makeBaselineAfterRollback, makeRelease, randomCuts, sweepCuts } from '../../tools/ota/sim/sweep.js';

// Fast subset of tools/ota/sweep.ts (the full sweep runs in test/slow/ota-sweep.test.ts):
// every 7th operation of each scenario (power lost in it and just before it, and after the
// last), a few random multi-cut runs, and the whole matrix.
describe('OTA update under power cuts (every 7th flash operation)', () => {
  let baseline: SimDevice;
  beforeAll(async () => {
    baseline = await makeBaseline();
  });

  const scenarios = [
    { name: 'healthy image commits', spec: {}, expect: { kind: 'succeeded' as const }, ends: 'new' },
    { name: 'image failing its health check rolls back', spec: { behaviour: 'fails-health' as const, version: '2.0.1' }, expect: { kind: 'rolled_back' as const, reason: 'ERR_OTA_HEALTH' }, ends: 'old' },
    { name: 'image crashing at every boot rolls back', spec: { behaviour: 'crashes' as const, version: '2.0.2' }, expect: { kind: 'rolled_back' as const, reason: 'ERR_OTA_CRASH_LOOP' }, ends: 'old' },
  ];
  for (const s of scenarios) {
    it(`${s.name}: every cut recovers, none bricks`, async () => {
      const release = makeRelease(baseline.source, s.spec);
      const r = await sweepCuts(baseline, release, s.expect, { stride: 7 });
      expect(r.operations).toBeGreaterThan(30);
      expect(r.failures).toEqual([]);
      expect(r.bricked).toBe(0);
      expect(r.recovered).toBe(r.cutPoints);
      expect(r.cutPoints).toBe(2 * Math.ceil(r.operations / 7) + 1);
      if (s.ends === 'old') expect(r.endedNew).toBe(0);
      else expect(r.endedNew).toBeGreaterThan(0);
    });
  }

  it('an update after an earlier rollback (stale ABORTED entry): every cut recovers, nothing is misreported', async () => {
    const after = await makeBaselineAfterRollback(baseline);
    const release = makeRelease(after.source, { version: '2.0.3' });
    const r = await sweepCuts(after, release, { kind: 'succeeded' }, { stride: 3 });
    expect(r.failures).toEqual([]);
    expect(r.recovered).toBe(r.cutPoints);
  });

  it('random runs with three cuts each over a flaky link recover', async () => {
    const release = makeRelease(baseline.source, { version: '2.1.0' });
    const r = await randomCuts(baseline, release, { kind: 'succeeded' }, { runs: 6, cutsPerRun: 3, seed: 7, operations: 45 });
    expect(r.failures).toEqual([]);
    expect(r.cutPoints).toBeGreaterThan(6);
    expect(r.recovered).toBe(r.cutPoints);
  });

  it('refuses or rolls back every bad image with its own reason; the old image keeps running', async () => {
    const rows = await badImageMatrix(baseline);
    expect(rows.map((r) => r.name)).toEqual(BAD_IMAGES.map((c) => c.name));
    for (const [i, row] of rows.entries()) {
      const c = BAD_IMAGES[i]!;
      expect(row.problems, row.name).toEqual([]);
      expect(row.outcome, row.name).toBe(`${c.expect.kind} ${c.expect.reason}`);
    }
  });
});
