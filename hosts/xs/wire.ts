/**
 * The envelope of a call between Node and an XS worker over xsnap's issueCommand. Shared by
 * both sides (this file is bundled into XS entries and imported by Node), so it uses only what
 * both engines have: Uint8Array, JSON, TextEncoder/TextDecoder (xsnap provides both).
 *
 * Request:  [format byte] [body]
 *   format 'J' (0x4a): body is UTF-8 JSON of [op, args]
 *   format 'C' (0x43): body is CBOR (firmware/codec/cbor.ts) of [op, args]
 * Reply:    [status byte] [body]
 *   0x00 ok, body in the request's format (JSON text or CBOR)
 *   0x01 error, body is UTF-8 JSON {code, message}; code is a FirmwareError code or 'ERR_XS'
 *   0x02 ok, body is the raw bytes the handler returned (a Uint8Array), whatever the format
 */
export const FORMAT_JSON = 0x4a;
export const FORMAT_CBOR = 0x43;
export const STATUS_OK = 0x00;
export const STATUS_ERROR = 0x01;
export const STATUS_BYTES = 0x02;

export type WireFormat = 'json' | 'cbor';

/** CBOR encode/decode pair; both sides inject firmware/codec/cbor.ts to use the CBOR format. */
export interface WireCodec {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

export interface WireError { code: string; message: string }

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function frame(head: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = head;
  out.set(body, 1);
  return out;
}

export function jsonBytes(value: unknown): Uint8Array {
  return utf8Encoder.encode(JSON.stringify(value) ?? 'null');
}

export function parseJsonBytes(bytes: Uint8Array): unknown {
  return JSON.parse(utf8Decoder.decode(bytes));
}

export function errorToWire(error: unknown): WireError {
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown };
    return {
      code: typeof e.code === 'string' ? e.code : 'ERR_XS',
      message: typeof e.message === 'string' ? e.message : String(error),
    };
  }
  return { code: 'ERR_XS', message: String(error) };
}

/** Copies a view into its own ArrayBuffer (xsnap's issueCommand takes and returns ArrayBuffers). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
