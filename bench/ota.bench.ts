/**
 * OTA figures: the cost of the update's crypto inside XS (xsnap computrons), measured in a child
 * process because the XS harness locks down the process that loads it; and the size of the
 * power-cut sweep (flash operations of one update, cut points, recoveries).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const measure = fileURLToPath(new URL('../tools/ota/xs/measure.ts', import.meta.url));

export async function run(): Promise<Record<string, number | string>> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', measure], { encoding: 'utf8' });
  const figures = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
  const { makeBaseline, makeRelease, sweepCuts } = await import('../tools/ota/sim/sweep.js');
  const baseline = await makeBaseline();
  const sweep = await sweepCuts(baseline, makeRelease(baseline.source, {}), { kind: 'succeeded' });
  return {
    'ota.operationsPerUpdate': sweep.operations,
    'ota.sweepCutPoints': sweep.cutPoints,
    'ota.sweepRecovered': sweep.recovered,
    'ota.verifyComputrons': figures.verifyComputrons!,
    'ota.verifyComputronsWarm': figures.verifyComputronsWarm!,
    'ota.verifyHeapBytes': figures.verifyHeapBytes!,
    'ota.sha256ComputronsPerKiB': figures.sha256ComputronsPerKiB!,
    'ota.update40kComputrons': figures.update40kComputrons!,
  };
}
