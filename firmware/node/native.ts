/**
 * Byte work of the retained record through the engine's native code when it has some, with a
 * portable fallback that gives the same bytes. The wake cycle does this at every wake, and XS
 * interprets a per-byte loop at about 100 computrons a byte (a typed-array copy is metered at
 * about 2 a byte) where its natives cost a flat ~60-90:
 *   UTF-8     XS on the device: ArrayBuffer.fromString / String.fromArrayBuffer; xsnap and Node:
 *             TextEncoder / TextDecoder; else firmware/codec/utf8.ts
 *   concat    XS (device and xsnap): ArrayBuffer.prototype.concat; else firmware/codec/bytes.ts
 * The portable paths are the codec's own functions: this module only picks the native one.
 * Detection happens per call (nothing cached at module top level: preload).
 */
import { concatBytes as portableConcat } from '../codec/bytes.js';
import { utf8Decode, utf8Encode } from '../codec/utf8.js';

interface NativeText {
  fromString?: (s: string) => ArrayBuffer;
}
interface NativeString {
  fromArrayBuffer?: (b: ArrayBuffer) => string;
}
interface TextCodecs {
  TextEncoder?: new () => { encode(s: string): Uint8Array };
  TextDecoder?: new (label?: string, options?: { fatal?: boolean }) => { decode(b: Uint8Array): string };
}

export function textToBytes(s: string): Uint8Array {
  const xs = (ArrayBuffer as unknown as NativeText).fromString;
  if (typeof xs === 'function') return new Uint8Array(xs(s));
  const Encoder = (globalThis as TextCodecs).TextEncoder;
  if (typeof Encoder === 'function') return new Encoder().encode(s);
  return utf8Encode(s);
}

/** Strict: malformed UTF-8 throws (the caller treats it as a corrupt record). */
export function bytesToText(bytes: Uint8Array): string {
  const xs = (String as unknown as NativeString).fromArrayBuffer;
  if (typeof xs === 'function') {
    const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    return xs(copy as ArrayBuffer);
  }
  const Decoder = (globalThis as TextCodecs).TextDecoder;
  if (typeof Decoder === 'function') return new Decoder('utf-8', { fatal: true }).decode(bytes);
  return utf8Decode(bytes);
}

interface NativeConcat {
  concat?: (...buffers: ArrayBuffer[]) => ArrayBuffer;
}

function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  // Cast first: with XS's typings ArrayBufferLike includes HostBuffer, which has no slice().
  const buffer = bytes.buffer as ArrayBuffer;
  return whole ? buffer : buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** The parts one after the other, in a new buffer (codec/bytes.ts concatBytes, native on XS). */
export function concatBytesNative(parts: readonly Uint8Array[]): Uint8Array {
  const xs = (ArrayBuffer.prototype as unknown as NativeConcat).concat;
  if (typeof xs === 'function' && parts.length > 0) {
    const rest: ArrayBuffer[] = [];
    for (let i = 1; i < parts.length; i++) rest.push(ownBuffer(parts[i]!));
    // concat makes a new buffer: the first part's own buffer is not changed.
    return new Uint8Array(xs.apply(ownBuffer(parts[0]!), rest));
  }
  return portableConcat(...parts);
}
