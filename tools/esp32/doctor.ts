/**
 * npm run doctor: `xs-dev doctor` (what xs-dev sees of Moddable and the device toolchains),
 * then our checks (MODDABLE, IDF_PATH at v6.0, mcconfig, esptool, tsc). Exits 1 when one of
 * ours fails. Not run in CI.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { withProjectBin } from './command.js';
import { formatCheck, runChecks } from './doctor-checks.js';
import { findOnPath } from './which.js';

const root = resolve(import.meta.dirname, '../..');
const env = withProjectBin(root, process.env);
const xsDev = findOnPath('xs-dev', env);
if (xsDev === undefined) process.stdout.write('xs-dev not found: run `npm ci` (it is a dev dependency)\n\n');
else {
  process.stdout.write('$ xs-dev doctor\n');
  const result = spawnSync(xsDev, ['doctor'], { env, stdio: 'inherit' });
  if (result.status !== 0) process.stdout.write(`(xs-dev doctor exited ${result.status ?? result.signal})\n`);
  process.stdout.write('\n');
}
const checks = runChecks(root, process.env);
process.stdout.write('sensor-node checks\n');
for (const c of checks) process.stdout.write(`${formatCheck(c)}\n`);
if (checks.some((c) => !c.ok)) process.exitCode = 1;
