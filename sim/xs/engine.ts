/**
 * --engine xs: each device's core runs on the XS engine, in xsnap workers held by one locked-down
 * child process (sim/xs/host.ts), so this process stays unlocked for Fastify, Aedes and mqtt.js.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceSpec } from '../device/program.js';
import type { Engine } from '../engine.js';
import { childHost, createHostedEngine } from '../hosting/remote-engine.js';

const here = dirname(fileURLToPath(import.meta.url));

export async function createXsEngine(specs: readonly DeviceSpec[], options: { workers: number }): Promise<Engine> {
  process.env['SIM_XS_WORKERS'] = String(Math.max(1, options.workers));
  return createHostedEngine('xs', 'full', specs, [childHost(join(here, 'host.ts'))]);
}
