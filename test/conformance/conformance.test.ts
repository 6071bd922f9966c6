import '@endo/init';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../firmware/codec/cbor.js';
import { toHex } from '../../firmware/codec/bytes.js';
import { startXsWorker, type XsWorker } from '../../hosts/xs/index.js';
import { GROUPS, runGroup } from './cases.js';

// design section 7: "The firmware core runs on the XS engine in CI with the same results as on
// Node". Every case runs in both engines; their CBOR-encoded results must be byte-identical.

let worker: XsWorker;
let total = 0;

beforeAll(async () => {
  worker = await startXsWorker({ name: 'conformance', entry: 'hosts/xs/entries/conformance.ts' });
});
afterAll(async () => {
  await worker?.close();
  console.log(`conformance: ${total} cases byte-identical on XS and Node`);
});

describe('conformance: XS and Node give byte-identical results', () => {
  it('the other side really is XS (print, no console)', async () => {
    expect((await worker.call('engine')).reply).toEqual({ print: 'function', console: 'undefined' });
  });

  it('XS has the same groups', async () => {
    expect((await worker.call<string[]>('groups')).reply).toEqual(Object.keys(GROUPS));
  });

  for (const name of Object.keys(GROUPS)) {
    it(name, async () => {
      const onXs = (await worker.call<Uint8Array>('run', name)).reply;
      const onNode = await runGroup(name);
      const xs = decode(onXs) as [string, Uint8Array][];
      const node = decode(onNode) as [string, Uint8Array][];
      expect(xs.map(([id]) => id)).toEqual(node.map(([id]) => id));
      const differing = node.filter(([id, bytes], i) => toHex(bytes) !== toHex(xs[i]![1])).map(([id]) => id);
      expect(differing, `cases that differ between XS and Node in ${name}`).toEqual([]);
      expect(toHex(onXs)).toBe(toHex(onNode));
      total += node.length;
    });
  }

  it('the cases are not trivial: both engines raise the expected errors and produce real output', async () => {
    const node = decode(await runGroup('cbor-decode')) as [string, Uint8Array][];
    const results = node.map(([, b]) => decode(b) as { ok?: unknown; error?: string });
    expect(results.filter((r) => r.error !== undefined).length).toBeGreaterThan(100);
    expect(results.filter((r) => r.ok !== undefined).length).toBeGreaterThan(80);
    expect(new Set(results.map((r) => r.error).filter((e) => e !== undefined)).size).toBeGreaterThan(5);
    const cycles = decode(await runGroup('wake-cycle')) as [string, Uint8Array][];
    const packs = cycles.map(([, b]) => (decode(b) as { ok: unknown[] }).ok[5]).filter((p) => p !== null);
    expect(packs.length).toBeGreaterThan(5);
  });
});
