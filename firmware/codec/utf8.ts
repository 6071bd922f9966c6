/**
 * UTF-8 (RFC 3629) by hand: XS on the device has no TextEncoder/TextDecoder, and the core must
 * give the same bytes on every engine.
 *
 * Strict both ways. Encoding refuses lone surrogates (they have no UTF-8 form; TextEncoder would
 * silently write U+FFFD). Decoding refuses overlong forms, surrogate code points (U+D800-DFFF),
 * code points above U+10FFFF and truncated sequences (RFC 3629 section 3, RFC 8949 5.3.1).
 *
 * `tryUtf8Decode` / `utf8EncodedLength` report failure as a value so that callers (the CBOR
 * decoder, MQTT) can raise their own error code; `utf8Encode` / `utf8Decode` throw ERR_UTF8.
 */
import { FirmwareError } from '../errors.js';

/** Bytes needed to encode `s`, or -1 if it contains a lone surrogate. */
export function utf8EncodedLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) return -1;
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Writes `s` into `out` at `offset` and returns the offset after it, or -1 on a lone
 * surrogate (nothing meaningful is written then). `out` must have room: see utf8EncodedLength.
 */
export function utf8EncodeInto(s: string, out: Uint8Array, offset: number): number {
  let p = offset;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) return -1;
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      i++;
      out[p++] = 0xf0 | (c >> 18);
      out[p++] = 0x80 | ((c >> 12) & 0x3f);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

/** UTF-8 bytes of `s`; throws ERR_UTF8 on a lone surrogate. */
export function utf8Encode(s: string): Uint8Array {
  if (typeof s !== 'string') throw new FirmwareError('ERR_ARGUMENT', 'utf8Encode expects a string');
  const n = utf8EncodedLength(s);
  if (n < 0) throw new FirmwareError('ERR_UTF8', 'lone surrogate');
  const out = new Uint8Array(n);
  utf8EncodeInto(s, out, 0);
  return out;
}

// String.fromCharCode.apply takes its arguments on the stack: keep each call small.
const CHUNK = 1024;

/** Decodes bytes[start, end) strictly; undefined if they are not well-formed UTF-8. */
export function tryUtf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string | undefined {
  let s = '';
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const b = bytes[i];
    let cp: number;
    if (b < 0x80) {
      cp = b;
      i += 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
      // 0xc0 and 0xc1 could only start overlong two-byte forms.
      if (i + 1 >= end || (bytes[i + 1] & 0xc0) !== 0x80) return undefined;
      cp = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      if (i + 2 >= end) return undefined;
      const b1 = bytes[i + 1], b2 = bytes[i + 2];
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return undefined;
      cp = ((b & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return undefined; // overlong or surrogate
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      if (i + 3 >= end) return undefined;
      const b1 = bytes[i + 1], b2 = bytes[i + 2], b3 = bytes[i + 3];
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return undefined;
      cp = ((b & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return undefined; // overlong or beyond Unicode
      i += 4;
    } else {
      return undefined; // stray continuation byte, 0xc0/0xc1, or 0xf5-0xff
    }
    if (cp < 0x10000) units.push(cp);
    else units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    if (units.length >= CHUNK) {
      s += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  return units.length > 0 ? s + String.fromCharCode.apply(null, units) : s;
}

/** Decodes bytes[start, end) strictly; throws ERR_UTF8 if they are not well-formed UTF-8. */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (!(bytes instanceof Uint8Array)) throw new FirmwareError('ERR_ARGUMENT', 'utf8Decode expects a Uint8Array');
  const s = tryUtf8Decode(bytes, start, end);
  if (s === undefined) throw new FirmwareError('ERR_UTF8');
  return s;
}
