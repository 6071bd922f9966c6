/**
 * XS entry: the pure node-host port implementations living inside XS, reachable from Node so
 * that the port contract suites (test/contract) run against them there too
 * (test/hosts/xs/ports-contract.test.ts). CBOR calls: byte arrays cross as byte strings.
 *
 *   create {kind}            -> id      kind: kv | retained | clock | sht3x | bmp280
 *   invoke {id, method, args} -> result
 *   get {id, property}        -> value
 */
import { decode, encode } from '../../../firmware/codec/cbor.js';
import { createManualClock, type ManualClock } from '../../node/clock.js';
import { createMemoryKv } from '../../node/kv.js';
import { createMemoryRetained } from '../../node/retained.js';
import { createSeededRandom } from '../../node/random.js';
import { createBmp280Sim, createSht3xSim } from '../../node/sensors.js';
import { serve } from '../guest/serve.js';

const instances: unknown[] = [];
let clock: ManualClock | undefined;

const FACTORIES: Readonly<Record<string, () => unknown>> = Object.freeze({
  kv: () => createMemoryKv(),
  retained: () => createMemoryRetained(512),
  clock: () => (clock = createManualClock()),
  sht3x: () => createSht3xSim({ clock: createManualClock(), random: createSeededRandom(1), noise: { temperature: 0.1, humidity: 0.5 } }),
  bmp280: () => createBmp280Sim({ clock: createManualClock(), random: createSeededRandom(2), noise: { pressure: 5 } }),
});

function instance(id: unknown): Record<string, unknown> {
  const target = instances[id as number];
  if (typeof target !== 'object' || target === null) throw new Error(`no instance ${String(id)}`);
  return target as Record<string, unknown>;
}

serve({
  create: (args) => {
    const kind = (args as { kind: string }).kind;
    const make = FACTORIES[kind];
    if (make === undefined) throw new Error(`unknown kind ${kind}`);
    instances.push(make());
    return instances.length - 1;
  },
  invoke: (args) => {
    const { id, method, args: callArgs } = args as { id: number; method: string; args: unknown[] };
    const target = instance(id);
    const fn = target[method];
    if (typeof fn !== 'function') throw new Error(`no method ${method}`);
    const result: unknown = fn.apply(target, callArgs);
    // A Uint8Array result would travel raw (serve's STATUS_BYTES): wrap it so undefined and bytes stay distinct.
    return { result };
  },
  get: (args) => {
    const { id, property } = args as { id: number; property: string };
    return { value: instance(id)[property] };
  },
  /** Lets time pass on the latest manual clock (the clock contract's elapse). */
  advance: (ms) => { clock?.advance(ms as number); return null; },
}, { cbor: { encode, decode } });
