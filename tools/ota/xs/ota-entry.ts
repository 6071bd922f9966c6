/**
 * XS entry for the OTA crypto checks: bundled by hosts/xs bundle() and run inside xsnap by
 * test/hosts/xs/ota-crypto.test.ts and bench/ota.bench.ts. Uses the same firmware modules the
 * device runs: firmware/crypto/noble.ts and firmware/ota/manifest.ts.
 */
import { createNobleCrypto } from '../../../firmware/crypto/noble.js';
import { verifySignedManifest } from '../../../firmware/ota/manifest.js';
import { serve } from '../../../hosts/xs/guest/serve.js';

const crypto = createNobleCrypto();

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** The byte at index i of the test pattern (same formula on the Node side). */
function patternByte(i: number): number {
  return (i * 31 + (i >> 8)) & 0xff;
}

serve({
  sha256Hex: (args) => {
    const h = crypto.sha256();
    h.update(fromHex((args as { hex: string }).hex));
    return toHex(h.digest());
  },
  /** Streams `length` pattern bytes through SHA-256 in `chunk`-byte updates. */
  sha256Pattern: (args) => {
    const { length, chunk } = args as { length: number; chunk: number };
    const buf = new Uint8Array(chunk);
    const h = crypto.sha256();
    for (let off = 0; off < length; off += chunk) {
      const n = Math.min(chunk, length - off);
      for (let i = 0; i < n; i++) buf[i] = patternByte(off + i);
      h.update(n === chunk ? buf : buf.subarray(0, n));
    }
    return toHex(h.digest());
  },
  /** Fills a chunk of the pattern without hashing: the baseline to subtract. */
  pattern: (args) => {
    const { length, chunk } = args as { length: number; chunk: number };
    const buf = new Uint8Array(chunk);
    let x = 0;
    for (let off = 0; off < length; off += chunk) {
      const n = Math.min(chunk, length - off);
      for (let i = 0; i < n; i++) buf[i] = patternByte(off + i);
      x ^= buf[0]!;
    }
    return x;
  },
  verify: (args) => {
    const { signature, message, publicKey } = args as { signature: string; message: string; publicKey: string };
    return crypto.verifyEd25519(fromHex(signature), fromHex(message), fromHex(publicKey));
  },
  verifyManifest: (args) => {
    const { manifest, keys } = args as { manifest: string; keys: string[] };
    try {
      const { manifest: m } = verifySignedManifest(fromHex(manifest), keys.map(fromHex), crypto);
      return { ok: true, version: m.version, board: m.board, size: m.size, sha256: toHex(m.sha256) };
    } catch (error) {
      return { ok: false, code: (error as { code?: string }).code ?? 'ERR_XS' };
    }
  },
});
