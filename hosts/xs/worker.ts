/**
 * Node side of hosts/xs: start an XS worker (@agoric/xsnap), evaluate bundles in it, call it.
 *
 * IMPORTANT: '@endo/init' must be the first import of the Node process (or of the vitest test
 * file) that uses this module. It runs SES lockdown (xsnap's own modules call the global
 * `harden` when they load) and freezes that process's intrinsics, so keep XS tests in their
 * own files and never load this module into a process that must stay unlocked (bench/core.bench.ts
 * runs its XS part in a child process for that reason). This module imports it first as well.
 */
import '@endo/init';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { xsnap, type XsnapMeterUsage, type XsnapWorker } from '@agoric/xsnap';
import { bundle, type BundleOptions } from './bundle.js';
import {
  FORMAT_CBOR, FORMAT_JSON, STATUS_BYTES, STATUS_ERROR, STATUS_OK,
  errorToWire, frame, jsonBytes, parseJsonBytes, type WireCodec, type WireFormat,
} from './wire.js';

/** What xsnap reports for one crank (one evaluate or one call). */
export interface XsMeter {
  /** Computrons of the crank (xsnap's deterministic CPU measure). */
  computrons: number;
  /** Bytes the XS machine has allocated for its heaps (machine-wide, after the crank). */
  heapBytes: number;
  /** Heap slots in use after the crank. */
  heapSlots: number;
}

export interface XsCallResult<T = unknown> { reply: T; meter: XsMeter }

export interface StartXsWorkerOptions {
  name?: string;
  /** A TS entry to bundle and evaluate at start (see bundle()). */
  entry?: string;
  bundleOptions?: BundleOptions;
  /** A script (already bundled) to evaluate at start. */
  script?: string;
  /** Answers XS's synchronous issueCommand(ArrayBuffer); see hostHandlers(). */
  handleCommand?: (request: Uint8Array) => Uint8Array | Promise<Uint8Array>;
  /** Computrons per crank before xsnap kills the worker (default 1e8; 0 = unlimited). */
  meteringLimit?: number;
  /** 'inherit' shows XS print() output (the guest log shim) on this process's stdout. */
  stdout?: 'ignore' | 'inherit';
  stderr?: 'ignore' | 'inherit';
  /** Codec for format 'cbor' calls (pass firmware/codec/cbor.ts's encode/decode). */
  cbor?: WireCodec;
}

export interface XsWorker {
  evaluate(script: string): Promise<XsMeter>;
  /** Calls a handler installed by guest serve(); rejects with XsCallError when it throws. */
  call<T = unknown>(op: string, args?: unknown, options?: { format?: WireFormat }): Promise<XsCallResult<T>>;
  /** Raw issueCommand: bytes in, bytes out, no envelope. */
  callRaw(request: Uint8Array): Promise<XsCallResult<Uint8Array>>;
  close(): Promise<void>;
}

/** A handler inside XS threw; `code` is its FirmwareError code (or ERR_XS). */
export class XsCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export async function startXsWorker(options: StartXsWorkerOptions = {}): Promise<XsWorker> {
  const worker: XsnapWorker = await xsnap({
    name: options.name ?? 'xs-worker',
    os: os.type(),
    spawn,
    fs: { ...fs, ...fs.promises, tmpName },
    handleCommand: options.handleCommand ?? (() => new Uint8Array(0)),
    meteringLimit: options.meteringLimit ?? 1e8,
    stdout: options.stdout ?? 'ignore',
    stderr: options.stderr ?? 'inherit',
  });
  const api: XsWorker = {
    async evaluate(script) {
      return toMeter((await worker.evaluate(script)).meterUsage);
    },
    async call<T>(op: string, args?: unknown, callOptions: { format?: WireFormat } = {}): Promise<XsCallResult<T>> {
      const cbor = callOptions.format === 'cbor';
      if (cbor && options.cbor === undefined) throw new Error('format cbor needs startXsWorker({ cbor })');
      const request = cbor
        ? frame(FORMAT_CBOR, options.cbor!.encode([op, args ?? null]))
        : frame(FORMAT_JSON, jsonBytes([op, args ?? null]));
      const { reply, meterUsage } = await worker.issueCommand(request);
      const meter = toMeter(meterUsage);
      const body = reply.subarray(1);
      switch (reply[0]) {
        case STATUS_BYTES: return { reply: body.slice() as T, meter };
        case STATUS_OK: return { reply: (cbor ? options.cbor!.decode(body) : parseJsonBytes(body)) as T, meter };
        case STATUS_ERROR: {
          const e = parseJsonBytes(body) as { code: string; message: string };
          throw new XsCallError(e.code, e.message);
        }
        default: throw new XsCallError('ERR_XS', `reply without a status byte (${reply.length} bytes): did the entry call serve()?`);
      }
    },
    async callRaw(request) {
      const { reply, meterUsage } = await worker.issueCommand(request);
      return { reply: reply.slice(), meter: toMeter(meterUsage) };
    },
    close: () => worker.close(),
  };
  try {
    if (options.entry !== undefined) await api.evaluate(bundle(options.entry, options.bundleOptions));
    if (options.script !== undefined) await api.evaluate(options.script);
  } catch (error) {
    await worker.terminate().catch(() => undefined);
    throw error;
  }
  return api;
}

/**
 * Builds a handleCommand for startXsWorker from named handlers, answering guest callHost(op, args)
 * (JSON envelope of wire.ts). A handler may return a Uint8Array to reply raw bytes.
 */
export function hostHandlers(handlers: Readonly<Record<string, (args: unknown) => unknown>>): (request: Uint8Array) => Promise<Uint8Array> {
  return async (request) => {
    try {
      if (request[0] !== FORMAT_JSON) throw new Error('host calls use the JSON format');
      const [op, args] = parseJsonBytes(request.subarray(1)) as [string, unknown];
      const handler = Object.hasOwn(handlers, op) ? handlers[op] : undefined;
      if (handler === undefined) throw new XsCallError('ERR_XS_NO_HANDLER', `no host handler for op ${op}`);
      const value = await handler(args);
      return value instanceof Uint8Array ? frame(STATUS_BYTES, value) : frame(STATUS_OK, jsonBytes(value));
    } catch (error) {
      return frame(STATUS_ERROR, jsonBytes(errorToWire(error)));
    }
  };
}

function toMeter(usage: XsnapMeterUsage): XsMeter {
  return { computrons: usage.compute ?? 0, heapBytes: usage.allocate ?? 0, heapSlots: usage.currentHeapCount ?? 0 };
}

/** tmp.tmpName's shape, which xsnap uses only for file-backed snapshots. */
function tmpName(options: { template?: string }, callback: (error: Error | null, name: string) => void): void {
  const template = options.template ?? 'xsnap-XXXXXX';
  callback(null, path.join(os.tmpdir(), template.replace('XXXXXX', randomBytes(6).toString('hex'))));
}
