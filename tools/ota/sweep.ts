/**
 * npm run sweep [-- --json] [--stride N] [--random N] [--seed N] [--pairs STRIDE]
 *
 * Power-cut sweep of a whole OTA update on the simulated device (tools/ota/sim/): every flash
 * operation of a healthy update, of an update whose image fails its health check and of one
 * that crashes at every boot; random multi-cut runs over a flaky link; and the bad-image matrix.
 * Prints what it did; with --json the last line is one JSON object:
 * {cutPoints, recovered, bricked, badImagesRefused, badImagesTried, ...}. Exit code 1 when any
 * cut point did not recover or any bad image was not refused.
 */
import { Command } from 'commander';
import { badImageMatrix, makeBaseline, makeBaselineAfterRollback, makeRelease, randomCuts, sweepCuts, sweepPairs, type Expectation, type SweepResult } from './sim/sweep.js';

const program = new Command()
  .name('sweep')
  .description('cut power at every flash operation of an OTA update and check the device recovers')
  .option('--json', 'print one JSON summary as the last line')
  .option('--stride <n>', 'cut at every n-th operation only (1 = all)', '1')
  .option('--random <runs>', 'random multi-cut runs', '30')
  .option('--seed <n>', 'seed of the random runs', '42')
  .option('--pairs <stride>', 'also cut twice per update: every <stride>-th operation, then every <stride>-th after the reboot (slow)')
  .option('--quiet', 'no per-scenario lines');
program.parse();
const opts = program.opts<{ json?: boolean; stride: string; random: string; seed: string; pairs?: string; quiet?: boolean }>();
const stride = Math.max(1, Number(opts.stride) || 1);
const randomRuns = Math.max(0, Number(opts.random) || 0);
const say = (line: string): void => {
  if (!opts.quiet) process.stdout.write(`${line}\n`);
};

const started = performance.now();
const baseline = await makeBaseline();
const scenarios: Array<{ name: string; spec: Parameters<typeof makeRelease>[1]; expect: Expectation; from?: typeof baseline }> = [
  { name: 'healthy image', spec: {}, expect: { kind: 'succeeded' } },
  { name: 'image failing its health check', spec: { behaviour: 'fails-health', version: '2.0.1' }, expect: { kind: 'rolled_back', reason: 'ERR_OTA_HEALTH' } },
  { name: 'image crashing at every boot', spec: { behaviour: 'crashes', version: '2.0.2' }, expect: { kind: 'rolled_back', reason: 'ERR_OTA_CRASH_LOOP' } },
];
const afterRollback = await makeBaselineAfterRollback(baseline);
scenarios.push({ name: 'healthy image after a rollback', spec: { version: '2.0.3' }, expect: { kind: 'succeeded' }, from: afterRollback });
const results: SweepResult[] = [];
let healthyOps = 0;
for (const s of scenarios) {
  const from = s.from ?? baseline;
  const release = makeRelease(from.source, s.spec);
  const r = await sweepCuts(from, release, s.expect, { stride, scenario: s.name });
  if (s.expect.kind === 'succeeded' && healthyOps === 0) healthyOps = r.operations;
  results.push(r);
  say(`sweep  ${s.name.padEnd(32)} ${r.operations} flash operations, ${r.cutPoints} cuts (in and before each, after the last): recovered ${r.recovered}, bricked ${r.bricked} (ended on new ${r.endedNew}, on old ${r.endedOld})`);
  for (const f of r.failures.slice(0, 5)) say(`  FAIL cut ${f.cut}${f.mode === undefined ? '' : ` (${f.mode})`}: ${f.problems.join('; ')}`);
}
if (randomRuns > 0) {
  const release = makeRelease(baseline.source, { version: '2.1.0' });
  const r = await randomCuts(baseline, release, { kind: 'succeeded' }, { runs: randomRuns, cutsPerRun: 3, seed: Number(opts.seed) || 42, operations: healthyOps, alternate: afterRollback });
  results.push(r);
  say(`random ${`${randomRuns} updates, 3 cuts each, flaky link`.padEnd(32)} cuts ${r.cutPoints}: recovered ${r.recovered}, bricked ${r.bricked} (ended on new ${r.endedNew}, on old ${r.endedOld})`);
  for (const f of r.failures.slice(0, 5)) say(`  FAIL run ${f.cut}: ${f.problems.join('; ')}`);
}
if (opts.pairs !== undefined) {
  const pairStride = Math.max(1, Number(opts.pairs) || 1);
  for (const s of [scenarios[0]!, scenarios[2]!]) {
    const release = makeRelease(baseline.source, { ...s.spec, version: s.expect.kind === 'succeeded' ? '2.2.0' : '2.2.2' });
    const r = await sweepPairs(baseline, release, s.expect, { stride: pairStride, operations: healthyOps, scenario: `pairs: ${s.name}` });
    results.push(r);
    say(`pairs  ${s.name.padEnd(32)} ${r.endedNew + r.endedOld} updates, ${r.cutPoints} cuts: recovered ${r.recovered}, bricked ${r.bricked} (ended on new ${r.endedNew}, on old ${r.endedOld})`);
    for (const f of r.failures.slice(0, 5)) say(`  FAIL ${f.cut} (${f.mode}): ${f.problems.join('; ')}`);
  }
}
const matrix = await badImageMatrix(baseline);
for (const row of matrix) say(`bad    ${row.name.padEnd(32)} ${row.ok ? 'refused' : 'NOT REFUSED'}: ${row.outcome}${row.problems.length > 0 ? ` (${row.problems.join('; ')})` : ''}`);

const summary = {
  cutPoints: results.reduce((n, r) => n + r.cutPoints, 0),
  recovered: results.reduce((n, r) => n + r.recovered, 0),
  bricked: results.reduce((n, r) => n + r.bricked, 0),
  badImagesRefused: matrix.filter((r) => r.ok).length,
  badImagesTried: matrix.length,
  operationsPerUpdate: healthyOps,
  seconds: Math.round((performance.now() - started) / 100) / 10,
};
say(`total  cut points ${summary.cutPoints}, recovered ${summary.recovered}, bricked ${summary.bricked}; bad images refused ${summary.badImagesRefused}/${summary.badImagesTried}; ${summary.seconds} s`);
if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
if (summary.recovered !== summary.cutPoints || summary.bricked !== 0 || summary.badImagesRefused !== summary.badImagesTried) process.exitCode = 1;
