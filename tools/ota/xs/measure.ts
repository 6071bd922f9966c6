/**
 * Measures the OTA crypto cost inside xsnap and prints one JSON line. Run in its own process
 * (bench/ota.bench.ts spawns it), because '@endo/init' locks down the process it loads into.
 *
 *   npx tsx tools/ota/xs/measure.ts
 */
import '@endo/init';
import { fileURLToPath } from 'node:url';
import { startXsWorker } from '../../../hosts/xs/index.js';
import { RFC8032 } from './vectors.js';

const entry = fileURLToPath(new URL('./ota-entry.ts', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export interface OtaXsFigures {
  /** First verify in a fresh machine (includes noble's base-point table): what a device pays per update after a boot. */
  verifyComputrons: number;
  /** A second verify in the same machine (tables cached). */
  verifyComputronsWarm: number;
  verifyHeapBytes: number;
  sha256ComputronsPerKiB: number;
}

export async function measureOtaXs(): Promise<OtaXsFigures> {
  const worker = await startXsWorker({ name: 'ota-measure', entry, meteringLimit: 0 });
  try {
    const t = RFC8032.test1;
    const args = { signature: hex(t.signature), message: hex(t.message), publicKey: hex(t.publicKey) };
    const first = await worker.call('verify', args);
    const warm = await worker.call('verify', args);
    if (first.reply !== true || warm.reply !== true) throw new Error('verify failed inside XS');
    const length = 256 * 1024;
    const hashed = await worker.call('sha256Pattern', { length, chunk: 4096 });
    const baseline = await worker.call('pattern', { length, chunk: 4096 });
    return {
      verifyComputrons: first.meter.computrons,
      verifyComputronsWarm: warm.meter.computrons,
      verifyHeapBytes: first.meter.heapBytes,
      sha256ComputronsPerKiB: Math.round((hashed.meter.computrons - baseline.meter.computrons) / (length / 1024)),
    };
  } finally {
    await worker.close();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${JSON.stringify(await measureOtaXs())}\n`);
}
