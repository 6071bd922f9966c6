/**
 * Simulator figures (bench/run.ts runs every bench; `npm run bench -- sim` runs this one):
 *   sim.cyclesPerSec               wake cycles per wall second in logic mode (2,000 devices x 6 h,
 *                                  in-memory broker and check-in, device hosts in child processes)
 *   sim.fullStack1000x24hSeconds   wall seconds for 1,000 devices x 24 virtual hours against the
 *                                  embedded Aedes and the real OTA server (a 2 h broker outage in it)
 * Each run is bounded: the logic run is a few hundred thousand cycles, the full-stack run one
 * simulated day of one thousand devices.
 */
import { parseFault } from '../sim/faults.js';
import { runSimulation } from '../sim/run.js';

export async function run(): Promise<Record<string, number | string>> {
  const logic = await runSimulation({ mode: 'logic', devices: 2000, hours: 6, seed: 1, herd: false, faults: [parseFault('broker-outage@2h+1h')] });
  const full = await runSimulation({ mode: 'full', devices: 1000, hours: 24, seed: 1, herd: false, faults: [parseFault('broker-outage@10h+2h')] });
  return {
    'sim.cyclesPerSec': Math.round(logic.summary.cycles / logic.summary.wallSeconds),
    'sim.logicCycles': logic.summary.cycles,
    'sim.fullStack1000x24hSeconds': full.summary.wallSeconds,
    'sim.fullStack1000x24hCycles': full.summary.cycles,
    'sim.fullStack1000x24hCpuSeconds': Math.round((full.summary.cpuSeconds.simulator + full.summary.cpuSeconds.deviceHosts) * 10) / 10,
    'sim.fullStack1000x24hReadingsLost': full.summary.readingsLost,
  };
}
