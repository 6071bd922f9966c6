import '@endo/init';
import { afterAll, beforeAll } from 'vitest';
import { decode, encode } from '../../../firmware/codec/cbor.js';
import { FirmwareError, type ErrorCode } from '../../../firmware/index.js';
import { startXsWorker, XsCallError, type XsWorker } from '../../../hosts/xs/index.js';
import { describeClockContract } from '../../contract/clock.js';
import { describeKvContract } from '../../contract/kv.js';
import { describeRetainedContract } from '../../contract/retained.js';
import { describeSensorContract } from '../../contract/sensors.js';

// The pure node-host ports run inside XS too (the conformance suite and the core bench bundle
// them): the same contract suites, each call crossing into the XS worker (hosts/xs/entries/ports.ts).

let worker: XsWorker;
beforeAll(async () => {
  worker = await startXsWorker({ name: 'ports-contract', entry: 'hosts/xs/entries/ports.ts', cbor: { encode, decode } });
});
afterAll(async () => { await worker?.close(); });

async function call<T>(op: string, args: unknown): Promise<T> {
  try {
    return (await worker.call<T>(op, args, { format: 'cbor' })).reply;
  } catch (error) {
    // A FirmwareError thrown in XS arrives as XsCallError with its code: make it one again.
    if (error instanceof XsCallError && error.code.startsWith('ERR_') && error.code !== 'ERR_XS') throw new FirmwareError(error.code as ErrorCode, error.message);
    throw error;
  }
}

/** A proxy whose methods run on the XS instance and answer through promises. */
async function remote<T>(kind: string, properties: readonly string[] = []): Promise<T> {
  const id = await call<number>('create', { kind });
  const proxy: Record<string, unknown> = {};
  for (const p of properties) proxy[p] = (await call<{ value: unknown }>('get', { id, property: p })).value;
  return new Proxy(proxy, {
    get(target, method) {
      if (typeof method !== 'string') return undefined;
      if (method in target) return target[method];
      if (method === 'then') return undefined; // not a thenable
      return async (...args: unknown[]) => (await call<{ result: unknown }>('invoke', { id, method, args })).result;
    },
  }) as T;
}

describeKvContract('memory kv inside XS', () => remote('kv'));
describeRetainedContract('memory retained inside XS', () => remote('retained', ['capacity']));
describeClockContract('manual clock inside XS', async () => ({
  clock: await remote('clock'),
  elapse: async (ms: number) => { await call('advance', ms); },
}));
describeSensorContract('simulated SHT3x inside XS', () => remote('sht3x', ['id']), { groups: ['thermometer', 'hygrometer'] });
describeSensorContract('simulated BMP280 inside XS', () => remote('bmp280', ['id']), { groups: ['barometer', 'thermometer'] });
