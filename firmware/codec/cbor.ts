/**
 * CBOR, RFC 8949: a small deterministic encoder and a strict, bounded decoder.
 *
 * Encoding follows the core deterministic encoding requirements (RFC 8949 4.2.1):
 * - shortest heads for integers, lengths and tag numbers (3.1, 4.2.1);
 * - definite lengths only (4.2.1);
 * - map keys sorted by the bytewise order of their encodings (4.2.1), duplicates refused (5.6);
 * - protocol choices left open by 4.2.2, made here: integral JS numbers within +-2^64 are
 *   integers (Rule 1: JS cannot tell 1 from 1.0); -0 stays a float (f98000); every other number
 *   takes the shortest of binary16/32/64 that keeps its exact value (4.2.1, preferred
 *   serialization 4.1); one NaN (f97e00); bigints outside 64 bits become bignums, tag 2/3
 *   without leading zero bytes (3.4.3).
 *
 * Value model (encode <- JS, decode -> JS):
 *   unsigned/negative int <-> number (safe integers) or bigint (beyond Number.MAX_SAFE_INTEGER);
 *   float <-> number; byte string <-> Uint8Array (any other ArrayBuffer view or ArrayBuffer is
 *   encoded as its bytes); text <-> string; array <-> Array; map <- Map (any keys) or plain object
 *   (own enumerable string keys); map -> plain object when every key is a text string, Map
 *   otherwise; tag <-> Tagged (tags 2/3 over a byte string decode to the integer, 3.4.3);
 *   simple 20-23 <-> false/true/null/undefined; other simple values <-> Simple.
 *
 * Decoding accepts any well-formed CBOR including non-preferred heads and indefinite lengths,
 * and rejects malformed input (RFC 8949 3, 3.2.1-3.2.4, 3.3, Appendix F) with FirmwareError
 * ERR_CBOR_*: never a hang (every loop consumes input) and never an allocation sized by an
 * unchecked length (a length is checked against the bytes left before anything is allocated).
 * Invalid UTF-8 and duplicate map keys (validity, 5.3.1, 5.6) are refused as well.
 */
import { FirmwareError, type ErrorCode } from '../errors.js';
import { toHex } from './bytes.js';
import type { KeyCache } from './key-cache.js';
import { tryUtf8Decode, utf8EncodedLength, utf8EncodeInto } from './utf8.js';

/** A CBOR tag (major type 6) around any value. Tag numbers up to 2^53-1 are numbers, larger ones bigints. */
export class Tagged {
  readonly tag: number | bigint;
  readonly value: unknown;
  constructor(tag: number | bigint, value: unknown) {
    this.tag = atag(tag);
    this.value = value;
  }
}

/** A simple value (major type 7) other than false/true/null/undefined: 0-19 or 32-255 (RFC 8949 3.3). */
export class Simple {
  readonly value: number;
  constructor(value: number) {
    if (!Number.isInteger(value) || value < 0 || value > 255 || (value >= 20 && value < 32)) {
      throw new FirmwareError('ERR_ARGUMENT', 'simple value must be 0-19 or 32-255');
    }
    this.value = value;
  }
}

export interface DecodeLimits {
  /** Deepest nesting of arrays, maps and tags (a top-level array is depth 1). Default 32. */
  maxDepth: number;
  /**
   * Most data items (keys and values, at any depth), counted as they are decoded. Default: no limit
   * beyond the input itself, which cannot hold more items than it has bytes.
   */
  maxItems: number;
  /** Most string payload bytes (byte and text strings together). Default: bounded by the input length. */
  maxBytes: number;
}

export const DEFAULT_MAX_DEPTH = 32;
const LIMIT_KEYS = Object.freeze(['maxDepth', 'maxItems', 'maxBytes']);
const TWO_32 = 4294967296;
const TWO_64 = 18446744073709551616; // exact as a double
const TWO_64N = 1n << 64n;
const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_N = -MAX_SAFE_N;

// ---- guards (public entry points only) -------------------------------------------------------

function atag(tag: unknown): number | bigint {
  if (typeof tag === 'bigint' && tag >= 0n && tag < TWO_64N) return tag <= MAX_SAFE_N ? Number(tag) : tag;
  if (typeof tag === 'number' && Number.isSafeInteger(tag) && tag >= 0) return tag;
  throw new FirmwareError('ERR_ARGUMENT', 'tag number must be an integer in 0..2^64-1');
}

function abytes(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new FirmwareError('ERR_ARGUMENT', 'decode expects a Uint8Array');
  return value;
}

// Every item takes at least one input byte and every string byte one input byte, so the input
// length bounds both already; the explicit limits are for callers that want less.
const NO_LIMITS: Readonly<DecodeLimits> = Object.freeze({ maxDepth: DEFAULT_MAX_DEPTH, maxItems: Infinity, maxBytes: Infinity });

function alimits(limits: unknown): Readonly<DecodeLimits> {
  if (limits === undefined) return NO_LIMITS; // shared: most decodes set none
  const out: DecodeLimits = { ...NO_LIMITS };
  if (typeof limits !== 'object' || limits === null) throw new FirmwareError('ERR_ARGUMENT', 'limits must be an object');
  for (const key of Object.keys(limits)) {
    const v = (limits as Record<string, unknown>)[key];
    if (!LIMIT_KEYS.includes(key)) throw new FirmwareError('ERR_ARGUMENT', `unknown limit ${key}`);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(Number.isSafeInteger(v) || v === Infinity) || v < 0) {
      throw new FirmwareError('ERR_ARGUMENT', `limit ${key} must be a non-negative integer`);
    }
    out[key as keyof DecodeLimits] = v;
  }
  return out;
}

// ---- encoding --------------------------------------------------------------------------------

class Writer {
  buf = new Uint8Array(64);
  view = new DataView(this.buf.buffer);
  len = 0;

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    if (this.len === this.buf.length) this.ensure(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Shortest head for an integral argument 0 <= n < 2^64 given as a number (RFC 8949 4.2.1). */
  head(major: number, n: number): void {
    if (this.len + 9 > this.buf.length) this.ensure(9); // inline test: calls are what XS meters most
    const b = this.buf, v = this.view, at = this.len, mt = major << 5;
    if (n < 24) {
      b[at] = mt | n;
      this.len += 1;
    } else if (n < 0x100) {
      b[at] = mt | 24;
      b[at + 1] = n;
      this.len += 2;
    } else if (n < 0x10000) {
      b[at] = mt | 25;
      v.setUint16(at + 1, n);
      this.len += 3;
    } else if (n < TWO_32) {
      b[at] = mt | 26;
      v.setUint32(at + 1, n);
      this.len += 5;
    } else {
      // n is an integral double: dividing by 2^32 is exact, so both halves are exact.
      const hi = Math.floor(n / TWO_32);
      b[at] = mt | 27;
      v.setUint32(at + 1, hi);
      v.setUint32(at + 5, n - hi * TWO_32);
      this.len += 9;
    }
  }

  headBig(major: number, n: bigint): void {
    if (n <= MAX_SAFE_N) return this.head(major, Number(n));
    this.ensure(9);
    this.buf[this.len++] = (major << 5) | 27;
    this.view.setUint32(this.len, Number(n >> 32n));
    this.view.setUint32(this.len + 4, Number(n & 0xffffffffn));
    this.len += 8;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/**
 * Bits of `v` as an IEEE 754 binary16, or -1 if binary16 cannot hold it exactly. Uses 4 bytes
 * of `scratch` at `at` (bytes the caller overwrites afterwards: no allocation per float).
 */
function halfBits(v: number, scratch: DataView, at: number): number {
  if (v !== v) return 0x7e00; // every NaN becomes the one quiet NaN f97e00 (RFC 8949 4.2.2)
  if (v === 0) return 1 / v < 0 ? 0x8000 : 0;
  if (v === Infinity) return 0x7c00;
  if (v === -Infinity) return 0xfc00;
  if (Math.fround(v) !== v) return -1; // every binary16 value is a binary32 value
  scratch.setFloat32(at, v);
  const bits = scratch.getUint32(at);
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127;
  const mant = bits & 0x7fffff;
  if (exp > 15) return -1;
  if (exp >= -14) return mant & 0x1fff ? -1 : sign | ((exp + 15) << 10) | (mant >>> 13); // normal
  if (exp < -24) return -1;
  const sig = mant | 0x800000; // subnormal binary16: value = m * 2^-24 = sig * 2^(exp+1)
  const shift = -(exp + 1);
  return sig & ((1 << shift) - 1) ? -1 : sign | (sig >>> shift);
}

function encodeNumber(w: Writer, v: number): void {
  // Rule 1 (RFC 8949 4.2.2): integral values are integers; -0 is not an integer here.
  if (Number.isInteger(v) && !(v === 0 && 1 / v < 0) && v < TWO_64 && v >= -TWO_64) {
    if (v >= 0) return w.head(0, v);
    if (v >= -Number.MAX_SAFE_INTEGER - 1) return w.head(1, -1 - v); // exact: |v| <= 2^53
    return w.headBig(1, -1n - BigInt(v));
  }
  w.ensure(9);
  const b = w.buf, at = w.len;
  const h = halfBits(v, w.view, at + 1);
  if (h >= 0) {
    b[at] = 0xf9;
    b[at + 1] = h >> 8;
    b[at + 2] = h & 0xff;
    w.len += 3;
  } else if (Math.fround(v) === v) {
    b[at] = 0xfa;
    w.view.setFloat32(at + 1, v);
    w.len += 5;
  } else {
    b[at] = 0xfb;
    w.view.setFloat64(at + 1, v);
    w.len += 9;
  }
}

function encodeBigInt(w: Writer, v: bigint): void {
  const negative = v < 0n;
  const n = negative ? -1n - v : v;
  if (n < TWO_64N) return w.headBig(negative ? 1 : 0, n);
  // Bignum (RFC 8949 3.4.3): big-endian magnitude without leading zero bytes.
  const digits: number[] = [];
  for (let m = n; m > 0n; m >>= 8n) digits.push(Number(m & 0xffn));
  digits.reverse();
  w.head(6, negative ? 3 : 2);
  w.head(2, digits.length);
  for (const d of digits) w.byte(d);
}

function encodeText(w: Writer, s: string): void {
  const n = s.length;
  w.ensure(9 + 3 * n);
  // Fast path, one pass: ASCII, whose UTF-8 length is its JS length.
  const mark = w.len;
  w.head(3, n);
  const b = w.buf;
  let p = w.len, i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    b[p++] = c;
  }
  if (i === n) {
    w.len = p;
    return;
  }
  w.len = mark;
  const len = utf8EncodedLength(s);
  if (len < 0) throw new FirmwareError('ERR_CBOR_UTF8', 'text string with a lone surrogate');
  w.head(3, len);
  w.len = utf8EncodeInto(s, b, w.len);
}

function enter(depth: number): number {
  if (depth >= DEFAULT_MAX_DEPTH) throw new FirmwareError('ERR_CBOR_DEPTH', `deeper than ${DEFAULT_MAX_DEPTH} (or a cycle)`);
  return depth + 1;
}

/** Bytewise order of the keys of pairs a and b (spans: pair start, key end, pair end). */
function compareKeys(buf: Uint8Array, spans: number[], a: number, b: number): number {
  let i = spans[3 * a], j = spans[3 * b];
  const ie = spans[3 * a + 1], je = spans[3 * b + 1];
  for (; i < ie && j < je; i++, j++) if (buf[i] !== buf[j]) return buf[i] - buf[j];
  return ie - i - (je - j);
}

/**
 * Map pairs are written in iteration order; then, unless already in order, the pairs are
 * moved into the bytewise order of their encoded keys (RFC 8949 4.2.1). Equal encoded keys are
 * duplicates (RFC 8949 5.6). No buffer per key.
 */
function encodeMap(w: Writer, size: number, pairs: (write: (k: unknown, v: unknown) => void) => void, depth: number): void {
  const inner = enter(depth);
  w.head(5, size);
  const start = w.len;
  const spans: number[] = [];
  pairs((k, v) => {
    const at = w.len;
    encodeItem(w, k, inner);
    const keyEnd = w.len;
    encodeItem(w, v, inner);
    spans.push(at, keyEnd, w.len);
  });
  const n = spans.length / 3;
  let inOrder = true;
  for (let i = 1; i < n && inOrder; i++) inOrder = compareKeys(w.buf, spans, i - 1, i) < 0;
  if (inOrder) return;
  const order: number[] = [];
  for (let i = 0; i < n; i++) order.push(i);
  order.sort((a, b) => compareKeys(w.buf, spans, a, b));
  for (let i = 1; i < n; i++) {
    if (compareKeys(w.buf, spans, order[i - 1], order[i]) === 0) {
      throw new FirmwareError('ERR_CBOR_DUPLICATE_KEY', `key ${toHex(w.buf.slice(spans[3 * order[i]], spans[3 * order[i] + 1]))}`);
    }
  }
  const copy = w.buf.slice(start, w.len);
  let at = start;
  for (const i of order) {
    w.buf.set(copy.subarray(spans[3 * i] - start, spans[3 * i + 2] - start), at);
    at += spans[3 * i + 2] - spans[3 * i];
  }
}

function encodeItem(w: Writer, v: unknown, depth: number): void {
  const type = typeof v;
  if (type === 'number') {
    // Fast path for the common case, unsigned integers below 2^32 (not -0).
    if ((v as number) >>> 0 === v && (v !== 0 || 1 / v > 0)) return w.head(0, v);
    return encodeNumber(w, v as number);
  }
  if (type === 'string') return encodeText(w, v as string);
  if (type === 'object') {
    if (v === null) return w.byte(0xf6);
    if (Array.isArray(v)) {
      const inner = enter(depth);
      w.head(4, v.length);
      for (let i = 0; i < v.length; i++) encodeItem(w, v[i], inner);
      return;
    }
    if (v instanceof Map) return encodeMap(w, v.size, (write) => v.forEach((x, k) => write(k, x)), depth);
    if (v instanceof Uint8Array || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
      const b = v instanceof Uint8Array ? v : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
      w.head(2, b.length);
      return w.bytes(b);
    }
    if (v instanceof Tagged) {
      // A bignum is the integer it denotes: written in its preferred form (3.4.3), as decode reads it.
      if ((v.tag === 2 || v.tag === 3) && v.value instanceof Uint8Array) {
        const n = bytesToBigInt(v.value);
        return encodeBigInt(w, v.tag === 2 ? n : -1n - n);
      }
      if (typeof v.tag === 'bigint') w.headBig(6, v.tag);
      else w.head(6, v.tag);
      return encodeItem(w, v.value, enter(depth));
    }
    if (v instanceof Simple) {
      if (v.value < 24) return w.byte(0xe0 | v.value);
      w.byte(0xf8);
      return w.byte(v.value);
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      return encodeMap(w, keys.length, (write) => keys.forEach((k) => write(k, obj[k])), depth);
    }
    throw new FirmwareError('ERR_CBOR_UNSUPPORTED', Object.prototype.toString.call(v));
  }
  if (type === 'boolean') return w.byte(v ? 0xf5 : 0xf4);
  if (type === 'undefined') return w.byte(0xf7);
  if (type === 'bigint') return encodeBigInt(w, v as bigint);
  throw new FirmwareError('ERR_CBOR_UNSUPPORTED', type);
}

/** Deterministic CBOR encoding of `value` (RFC 8949 4.2.1); see the module doc for the value model. */
export function encode(value: unknown): Uint8Array {
  const w = new Writer();
  encodeItem(w, value, 0);
  return w.result();
}

// ---- decoding --------------------------------------------------------------------------------

interface Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos: number;
  items: number;
  stringBytes: number;
  readonly limits: Readonly<DecodeLimits>;
  readonly keys: KeyCache | undefined;
}

function fail(code: Extract<ErrorCode, `ERR_CBOR_${string}`>, r: Reader, at = r.pos): never {
  throw new FirmwareError(code, `at byte ${at}`, { offset: at });
}

function need(r: Reader, n: number): void {
  if (r.bytes.length - r.pos < n) fail('ERR_CBOR_TRUNCATED', r, r.bytes.length);
}

/** Steps over `n` bytes that must be there; returns where they start. */
function take(r: Reader, n: number): number {
  need(r, n);
  r.pos += n;
  return r.pos - n;
}

/** Argument of a head (RFC 8949 3): a number when exact (< 2^53), else a bigint. */
function readArgument(r: Reader, ai: number): number | bigint {
  if (ai < 24) return ai;
  if (ai === 24) return r.bytes[take(r, 1)];
  if (ai === 25) return r.view.getUint16(take(r, 2));
  if (ai === 26) return r.view.getUint32(take(r, 4));
  if (ai === 27) {
    const at = take(r, 8);
    const hi = r.view.getUint32(at), lo = r.view.getUint32(at + 4);
    return hi < 0x200000 ? hi * TWO_32 + lo : (BigInt(hi) << 32n) | BigInt(lo);
  }
  return fail('ERR_CBOR_RESERVED', r, r.pos - 1); // 28-30 (31 is handled by the callers)
}

/** A declared length or count, checked against the input left and the limits before any allocation. */
function readCount(r: Reader, ai: number, perUnit: number, limit: number, used: number): number {
  const arg = readArgument(r, ai);
  const n = typeof arg === 'bigint' ? Infinity : arg;
  // Each unit (string byte, array item, map entry) takes at least one input byte. A map entry
  // takes two, but a one-byte-per-entry check keeps `a1ff` a misplaced break, not a truncation.
  if (n > r.bytes.length - r.pos) fail('ERR_CBOR_TRUNCATED', r, r.bytes.length);
  if (n * perUnit > limit - used) fail('ERR_CBOR_LENGTH', r);
  return n;
}

function readString(r: Reader, major: number, ai: number): Uint8Array | string {
  const n = readCount(r, ai, 1, r.limits.maxBytes, r.stringBytes);
  r.stringBytes += n;
  const start = r.pos;
  r.pos += n;
  if (major === 2) return r.bytes.slice(start, r.pos);
  const s = tryUtf8Decode(r.bytes, start, r.pos);
  return s === undefined ? fail('ERR_CBOR_UTF8', r, start) : s;
}

/** Indefinite-length string: definite chunks of the same major type until a break (RFC 8949 3.2.3). */
function readChunks(r: Reader, major: number): Uint8Array | string {
  const parts: (Uint8Array | string)[] = [];
  while (!atBreak(r)) {
    const ib = r.bytes[r.pos];
    if (ib >> 5 !== major || (ib & 31) === 31) fail('ERR_CBOR_CHUNK', r);
    r.pos += 1;
    parts.push(readString(r, major, ib & 31)); // each text chunk must be valid UTF-8 on its own
  }
  if (major === 3) return parts.join('');
  // No concatBytes(...parts): spreading up to input-length arguments can overflow the XS stack.
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts as Uint8Array[]) out.set(p, (n += p.length) - p.length);
  return out;
}

function atBreak(r: Reader): boolean {
  need(r, 1);
  if (r.bytes[r.pos] !== 0xff) return false;
  r.pos += 1;
  return true;
}

function readArray(r: Reader, ai: number, depth: number): unknown[] {
  const out: unknown[] = [];
  if (ai === 31) {
    while (!atBreak(r)) out.push(decodeItem(r, depth));
  } else {
    const n = readCount(r, ai, 1, r.limits.maxItems, r.items);
    for (let i = 0; i < n; i++) out.push(decodeItem(r, depth));
  }
  return out;
}

function defineKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  // "__proto__" must become an own property, not the prototype.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * A map key through the reader's KeyCache when it is a short text string (one-byte head) that
 * fits the input and the limits; anything else, and any error, is decodeItem's.
 */
function readKey(r: Reader, keys: KeyCache, depth: number): unknown {
  const n = r.bytes[r.pos] - 0x60; // NaN past the end: decodeItem reports the truncation
  if (!(n >= 0 && n < 24) || n > r.bytes.length - r.pos - 1 || r.items >= r.limits.maxItems || n > r.limits.maxBytes - r.stringBytes) {
    return decodeItem(r, depth);
  }
  const start = r.pos + 1;
  const text = keys.text(r.bytes, start, start + n);
  if (text === undefined) return decodeItem(r, depth);
  r.items += 1;
  r.stringBytes += n;
  r.pos = start + n;
  return text;
}

function readMap(r: Reader, ai: number, depth: number): Record<string, unknown> | Map<unknown, unknown> {
  // Text keys (nearly every map) go straight into the object, whose own properties find
  // duplicates; the first key of another type turns what was read into a Map, in reading order.
  // Duplicate = same key once decoded (RFC 8949 5.6). Texts compare by value; numbers that are
  // safe integers or not integral by SameValueZero (so 0 and -0 collide, as in a JS Map, and 1
  // and 1.0 too); anything else by its deterministic encoding.
  const obj: Record<string, unknown> = {};
  const textKeys: string[] = [];
  let map: Map<unknown, unknown> | undefined;
  let texts: Set<string> | undefined, numbers: Set<number> | undefined, others: Set<string> | undefined;
  const n = ai === 31 ? -1 : readCount(r, ai, 2, r.limits.maxItems, r.items);
  for (let i = 0; n < 0 ? !atBreak(r) : i < n; i++) {
    const at = r.pos;
    const key = r.keys === undefined ? decodeItem(r, depth) : readKey(r, r.keys, depth);
    if (map === undefined) {
      if (typeof key === 'string') {
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail('ERR_CBOR_DUPLICATE_KEY', r, at);
        textKeys.push(key);
        defineKey(obj, key, decodeItem(r, depth)); // a break here (odd item count) is ERR_CBOR_BREAK
        continue;
      }
      map = new Map<unknown, unknown>();
      texts = new Set<string>(textKeys);
      for (let k = 0; k < textKeys.length; k++) map.set(textKeys[k], obj[textKeys[k]!]);
    }
    let seen: Set<unknown>, id: unknown = key;
    if (typeof key === 'string') seen = texts ??= new Set<string>();
    else if (typeof key === 'number' && !(Number.isInteger(key) && !Number.isSafeInteger(key))) seen = numbers ??= new Set<number>();
    else {
      seen = others ??= new Set<string>();
      id = toHex(encode(key));
    }
    if (seen.has(id)) fail('ERR_CBOR_DUPLICATE_KEY', r, at);
    seen.add(id);
    map.set(key, decodeItem(r, depth));
  }
  return map ?? obj;
}

const SIMPLE_JS = Object.freeze([false, true, null, undefined]); // simple values 20-23

function fromHalf(h: number): number {
  const exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  const v = exp === 0 ? mant * 5.960464477539063e-8 : exp === 31 ? (mant === 0 ? Infinity : NaN) : (mant + 1024) * 2 ** (exp - 25);
  return h & 0x8000 ? -v : v;
}

function bytesToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = 0; i < b.length; i++) n = (n << 8n) | BigInt(b[i]);
  return n;
}

function integer(n: bigint): number | bigint {
  return n >= MIN_SAFE_N && n <= MAX_SAFE_N ? Number(n) : n;
}

function decodeItem(r: Reader, depth: number): unknown {
  need(r, 1);
  const at = r.pos;
  const ib = r.bytes[r.pos++];
  if (ib === 0xff) fail('ERR_CBOR_BREAK', r, at); // no indefinite item open here (3.2.1)
  if (++r.items > r.limits.maxItems) fail('ERR_CBOR_LENGTH', r, at);
  const major = ib >> 5, ai = ib & 31;
  if (ai === 31 && (major < 2 || major === 6)) fail('ERR_CBOR_RESERVED', r, at); // no indefinite ints or tags (3.2)
  switch (major) {
    case 0: {
      const n = readArgument(r, ai);
      return typeof n === 'bigint' ? integer(n) : n;
    }
    case 1: {
      const n = readArgument(r, ai);
      return typeof n === 'number' && n < Number.MAX_SAFE_INTEGER ? -1 - n : integer(-1n - BigInt(n));
    }
    case 2:
    case 3:
      return ai === 31 ? readChunks(r, major) : readString(r, major, ai);
    case 4:
    case 5: {
      if (depth >= r.limits.maxDepth) fail('ERR_CBOR_DEPTH', r, at);
      return major === 4 ? readArray(r, ai, depth + 1) : readMap(r, ai, depth + 1);
    }
    case 6: {
      if (depth >= r.limits.maxDepth) fail('ERR_CBOR_DEPTH', r, at);
      const tag = readArgument(r, ai);
      const value = decodeItem(r, depth + 1);
      if ((tag === 2 || tag === 3) && value instanceof Uint8Array) {
        // Bignums (3.4.3) come back as the integer they denote.
        const n = bytesToBigInt(value);
        return integer(tag === 2 ? n : -1n - n);
      }
      return new Tagged(tag, value);
    }
    default: {
      if (ai < 20) return new Simple(ai);
      if (ai < 24) return SIMPLE_JS[ai - 20];
      if (ai === 24) {
        const v = r.bytes[take(r, 1)];
        return v < 32 ? fail('ERR_CBOR_SIMPLE', r, at) : new Simple(v); // 3.3: f800..f81f are not well-formed
      }
      if (ai === 25) return fromHalf(r.view.getUint16(take(r, 2)));
      if (ai === 26) return r.view.getFloat32(take(r, 4));
      if (ai === 27) return r.view.getFloat64(take(r, 8));
      return fail('ERR_CBOR_RESERVED', r, at); // 28-30
    }
  }
}

/**
 * Decodes exactly one CBOR data item that fills `bytes` (RFC 8949 5.1). Throws FirmwareError
 * with an ERR_CBOR_* code on malformed or invalid input, or when a limit is exceeded. `keys`
 * reuses map-key strings across calls (key-cache.ts); results and errors are the same without.
 */
export function decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>, keys?: KeyCache): unknown {
  abytes(bytes);
  const r: Reader = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    pos: 0,
    items: 0,
    stringBytes: 0,
    limits: alimits(limits),
    keys,
  };
  const value = decodeItem(r, 0);
  if (r.pos !== bytes.length) fail('ERR_CBOR_TRAILING', r);
  return value;
}
