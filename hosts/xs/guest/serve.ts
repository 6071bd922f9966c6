/**
 * XS side of the call helper: installs globalThis.handleCommand, which xsnap-worker calls for
 * each issueCommand from Node. Handlers may be async: xsnap runs the promise jobs to idle after
 * handleCommand returns and then reads the `result` property of the returned object (the
 * "report" object of xsnap-worker.c), so the reply is whatever the promise settled to.
 *
 * Runs only inside xsnap (bundled into an entry under hosts/xs/entries/).
 */
import {
  FORMAT_CBOR, FORMAT_JSON, STATUS_BYTES, STATUS_ERROR, STATUS_OK,
  errorToWire, frame, jsonBytes, parseJsonBytes, toArrayBuffer, type WireCodec,
} from '../wire.js';

export type Handler = (args: unknown) => unknown;
export type Handlers = Readonly<Record<string, Handler>>;

interface Report { result?: ArrayBuffer }

export interface ServeOptions {
  /** Needed only to accept CBOR-format calls (pass firmware/codec/cbor.ts). */
  cbor?: WireCodec;
}

export function serve(handlers: Handlers, options: ServeOptions = {}): void {
  const handleCommand = (message: ArrayBuffer): Report => {
    const report: Report = {};
    const bytes = new Uint8Array(message);
    const format = bytes[0];
    const finish = (value: unknown): void => { report.result = toArrayBuffer(encodeReply(format, value, options)); };
    const fail = (error: unknown): void => { report.result = toArrayBuffer(frame(STATUS_ERROR, jsonBytes(errorToWire(error)))); };
    try {
      const [op, args] = decodeRequest(format, bytes.subarray(1), options) as [string, unknown];
      const handler = Object.prototype.hasOwnProperty.call(handlers, op) ? handlers[op] : undefined;
      if (handler === undefined) throw Object.assign(new Error(`no handler for op ${String(op)}`), { code: 'ERR_XS_NO_HANDLER' });
      const result = handler(args);
      if (result instanceof Promise) result.then(finish, fail);
      else finish(result);
    } catch (error) {
      fail(error);
    }
    return report;
  };
  (globalThis as { handleCommand?: unknown }).handleCommand = handleCommand;
}

function decodeRequest(format: number | undefined, body: Uint8Array, options: ServeOptions): unknown {
  if (format === FORMAT_JSON) return parseJsonBytes(body);
  if (format === FORMAT_CBOR) {
    if (options.cbor === undefined) throw new Error('CBOR call but serve() got no cbor codec');
    return options.cbor.decode(body);
  }
  throw new Error(`unknown request format ${String(format)}`);
}

function encodeReply(format: number | undefined, value: unknown, options: ServeOptions): Uint8Array {
  if (value instanceof Uint8Array) return frame(STATUS_BYTES, value);
  if (format === FORMAT_CBOR && options.cbor !== undefined) return frame(STATUS_OK, options.cbor.encode(value));
  return frame(STATUS_OK, jsonBytes(value));
}

/**
 * Synchronous call from XS to the Node host (the `handleCommand` given to startXsWorker,
 * built with hostHandlers() on the Node side). JSON format only.
 */
export function callHost(op: string, args?: unknown): unknown {
  const issue = (globalThis as { issueCommand?: (message: ArrayBuffer) => ArrayBuffer }).issueCommand;
  if (issue === undefined) throw new Error('callHost needs xsnap (no global issueCommand)');
  const reply = new Uint8Array(issue(toArrayBuffer(frame(FORMAT_JSON, jsonBytes([op, args ?? null])))));
  if (reply[0] === STATUS_BYTES) return reply.slice(1);
  const body = parseJsonBytes(reply.subarray(1));
  if (reply[0] === STATUS_ERROR) {
    const e = body as { code: string; message: string };
    throw Object.assign(new Error(e.message), { code: e.code });
  }
  return body;
}
