import '@endo/init';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, hostHandlers, startXsWorker, XsCallError, type XsWorker } from '../../../hosts/xs/index.js';

const entry = fileURLToPath(new URL('./harness-entry.ts', import.meta.url));

describe('hosts/xs worker and call envelope', () => {
  let worker: XsWorker;
  beforeAll(async () => {
    worker = await startXsWorker({
      name: 'harness-test',
      entry,
      handleCommand: hostHandlers({
        add: (args) => (args as number[]).reduce((a, b) => a + b, 0),
        bytes: () => new Uint8Array([7, 8, 9]),
      }),
    });
  });
  afterAll(async () => { await worker?.close(); });

  it('runs inside XS, not Node (no console, has print)', async () => {
    const { reply } = await worker.call('engine');
    expect(reply).toEqual({ hasConsole: 'undefined', hasPrint: 'function' });
  });

  it('round-trips JSON and reports computrons and heap', async () => {
    const { reply, meter } = await worker.call('echo', { a: [1, 'two', null], b: true });
    expect(reply).toEqual({ a: [1, 'two', null], b: true });
    expect(meter.computrons).toBeGreaterThan(0);
    expect(meter.heapBytes).toBeGreaterThan(0);
    expect(meter.heapSlots).toBeGreaterThan(0);
  });

  it('keeps state between calls (one machine)', async () => {
    const first = (await worker.call<number>('count')).reply;
    expect((await worker.call<number>('count')).reply).toBe(first + 1);
  });

  it('meters deterministically: the same call costs the same computrons', async () => {
    const a = await worker.call('echo', { x: 1 });
    const b = await worker.call('echo', { x: 1 });
    expect(b.meter.computrons).toBe(a.meter.computrons);
  });

  it('returns raw bytes when a handler returns a Uint8Array', async () => {
    const { reply } = await worker.call<Uint8Array>('bytes', [1, 2, 255]);
    expect(reply).toBeInstanceOf(Uint8Array);
    expect(Array.from(reply)).toEqual([1, 2, 255]);
  });

  it('resolves async handlers (promise jobs run to idle inside the crank)', async () => {
    expect((await worker.call('later', 21)).reply).toEqual({ doubled: 42 });
  });

  it('carries a FirmwareError code across the boundary', async () => {
    const error = await worker.call('coded').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XsCallError);
    expect((error as XsCallError).code).toBe('ERR_CONFIG_INVALID');
    expect((error as XsCallError).message).toContain('channels[0].period');
    const later = await worker.call('laterFails').catch((e: unknown) => e);
    expect((later as XsCallError).code).toBe('ERR_STATE_CORRUPT');
  });

  it('maps uncoded errors to ERR_XS and unknown ops to ERR_XS_NO_HANDLER', async () => {
    expect(((await worker.call('plain').catch((e: unknown) => e)) as XsCallError).code).toBe('ERR_XS');
    expect(((await worker.call('nope').catch((e: unknown) => e)) as XsCallError).code).toBe('ERR_XS_NO_HANDLER');
  });

  it('lets XS call the Node host synchronously (issueCommand -> handleCommand)', async () => {
    expect((await worker.call('askHost', [1, 2, 3])).reply).toBe(6);
    expect((await worker.call('askHostBytes')).reply).toEqual([7, 8, 9]);
  });

  it('the guest log shim prints through XS print', async () => {
    expect((await worker.call('log')).reply).toBe('function');
  });

  it('refuses a CBOR call when no codec was given', async () => {
    await expect(worker.call('echo', 1, { format: 'cbor' })).rejects.toThrow(/cbor/);
  });
});

describe('metering limit', () => {
  it('kills a runaway crank instead of hanging', async () => {
    const w = await startXsWorker({ name: 'spin-test', entry, meteringLimit: 100_000 });
    try {
      await expect(w.call('spin')).rejects.toThrow(/too much computation/);
    } finally {
      await w.close().catch(() => undefined);
    }
  });
});

describe('bundle()', () => {
  it('produces one IIFE script; minify makes it smaller', () => {
    const plain = bundle(entry);
    const small = bundle(entry, { minify: true });
    expect(plain.startsWith('"use strict";\n(() => {') || plain.startsWith('(() => {')).toBe(true);
    expect(small.length).toBeLessThan(plain.length);
  });
  it('fails loudly on a missing entry', () => {
    expect(() => bundle('/nonexistent/entry.ts')).toThrow();
  });
});
