/**
 * Measures the OTA crypto cost inside xsnap and prints one JSON line. Run in its own process
 * (bench/ota.bench.ts spawns it), because '@endo/init' locks down the process it loads into.
 *
 *   npx tsx tools/ota/xs/measure.ts
 */
import '@endo/init';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { keyId, signManifest } from '../../../firmware/index.js';
import { createNodeCrypto, ed25519PublicKey, ed25519Sign } from '../../../hosts/node/crypto.js';
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
  /** A whole 40 000-byte update in XS (download into the flash model, read-back hash, verify, commit). */
  update40kComputrons: number;
}

const patternByte = (i: number): number => (i * 31 + (i >> 8)) & 0xff;

export async function measureOtaXs(): Promise<OtaXsFigures> {
  const worker = await startXsWorker({ name: 'ota-measure', entry, meteringLimit: 0 });
  try {
    const t = RFC8032.test1;
    const args = { signature: hex(t.signature), message: hex(t.message), publicKey: hex(t.publicKey) };
    const first = await worker.call('verify', args);
    const warm = await worker.call('verify', args);
    if (first.reply !== true || warm.reply !== true) throw new Error('verify failed inside XS');
    const hashedLength = 256 * 1024;
    const hashed = await worker.call('sha256Pattern', { length: hashedLength, chunk: 4096 });
    const baseline = await worker.call('pattern', { length: hashedLength, chunk: 4096 });
    const length = 40_000;
    const image = Uint8Array.from({ length }, (_, i) => patternByte(i));
    image[0] = 0xe9;
    const pub = ed25519PublicKey(t.secretKey);
    const manifest = signManifest({
      version: '1.1.0', securityVersion: 1, board: 'xs-board', size: length,
      sha256: new Uint8Array(createHash('sha256').update(image).digest()), path: '/fw',
    }, (tbs) => ed25519Sign(tbs, t.secretKey), { kid: keyId(pub, createNodeCrypto()) });
    const fresh = await startXsWorker({ name: 'ota-measure-update', entry, meteringLimit: 0 });
    let update: number;
    try {
      update = (await fresh.call('update', { manifest: hex(manifest), publicKey: hex(pub), length, path: '/fw' })).meter.computrons;
    } finally {
      await fresh.close();
    }
    return {
      update40kComputrons: update,
      verifyComputrons: first.meter.computrons,
      verifyComputronsWarm: warm.meter.computrons,
      verifyHeapBytes: first.meter.heapBytes,
      sha256ComputronsPerKiB: Math.round((hashed.meter.computrons - baseline.meter.computrons) / (hashedLength / 1024)),
    };
  } finally {
    await worker.close();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${JSON.stringify(await measureOtaXs())}\n`);
}
