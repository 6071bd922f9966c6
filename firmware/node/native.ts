/**
 * UTF-8 for the retained record's JSON sections, through the engine's native code when it has
 * some: XS on the device has ArrayBuffer.fromString / String.fromArrayBuffer, xsnap and Node have
 * TextEncoder / TextDecoder. Interpreted per-byte loops cost XS about 100 computrons per byte;
 * the natives cost a flat ~60. Every path gives the same bytes; firmware/codec/utf8.ts is the
 * portable fallback. Detection happens per call (nothing cached at module top level: preload).
 */
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
