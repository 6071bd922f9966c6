/**
 * SenML in CBOR, RFC 8428 (section 6: integer labels), on top of our deterministic CBOR.
 *
 * buildPack: readings -> one pack. The first record carries the base name `bn` when one is
 * given (e.g. "urn:dev:<id>:"; on MQTT the topic names the device, so the node sends none by
 * default) and the base time `bt` (the first reading's UTC time in seconds); every record
 * carries its name `n`, unit `u`, one value (`v`, `vb`, `vs` or `vd`), its time `t` relative to
 * `bt` (omitted when 0). Sequence numbers run on: the first record carries its number under the
 * text label "q", later records are numbered consecutively from it; a reading whose number
 * breaks that run carries its own "q" (and the run continues from it).
 * resolvePack: pack -> resolved records (RFC 8428 4.6): base fields applied, absolute times,
 * records in time order; `baseName` supplies the base name a pack without `bn` leaves to its
 * context (the consumer takes it from the topic).
 *
 * Numbers (RFC 8428 6): a SenML "number" in CBOR may be an integer, a float or a decimal
 * fraction (RFC 8949 3.4.4, tag 4), as long as converting it to binary64 gives the value back
 * exactly. Times are whole milliseconds, so `t` = 0.25 s is f93400 but 0.123 s is the decimal
 * fraction 4([-3, 123]) (5 bytes, not 9); with `decimals`, values are rounded to that many
 * decimal places and written the same way, whichever is shorter.
 */
import { FirmwareError } from '../errors.js';
import { decode, encode, Tagged } from './cbor.js';
import { utf8EncodedLength, utf8EncodeInto } from './utf8.js';

/** CBOR labels of RFC 8428 Table 4 (section 6). The integer table is closed: new labels are text. */
export const SENML_LABEL = Object.freeze({ bver: -1, bn: -2, bt: -3, bu: -4, bv: -5, bs: -6, n: 0, u: 1, v: 2, vs: 3, vb: 4, s: 5, t: 6, ut: 7, vd: 8 } as const);

/**
 * Sequence numbers travel under this text label, "q". It is not a registered SenML label, so it
 * is a text key (RFC 8428 6: only registered labels have integer keys); readers that do not know
 * it ignore it, as they must every unknown label not ending in "_" (RFC 8428 4.4), so a plain
 * SenML reader still gets every name, unit, value and time. It does not end in "_" on purpose.
 *
 * Numbers run on like base fields (RFC 8428 4.1): a record without "q" that follows a numbered
 * record has that record's number plus one. So a pack of consecutive numbers carries the label
 * once, in its first record; a record off the run carries its own, and the run goes on from it.
 * One character, because it is on the wire in every pack (RFC 8428 12.2: label names should be
 * short): 3 bytes a pack against "bseq", 5 a record against a per-record "seq".
 */
export const SEQ_LABEL = 'q';

/** Units registered by RFC 8428 (section 12.1, Table 6). Secondary units (RFC 8798: hPa, mV) need bver 26 and are not built. */
export const SENML_UNITS: readonly string[] = Object.freeze([
  'm', 'kg', 'g', 's', 'A', 'K', 'cd', 'mol', 'Hz', 'rad', 'sr', 'N', 'Pa', 'J', 'W', 'C', 'V', 'F', 'Ohm', 'S', 'Wb', 'T', 'H',
  'Cel', 'lm', 'lx', 'Bq', 'Gy', 'Sv', 'kat', 'm2', 'm3', 'l', 'm/s', 'm/s2', 'm3/s', 'l/s', 'W/m2', 'cd/m2', 'bit', 'bit/s',
  'lat', 'lon', 'pH', 'dB', 'dBW', 'Bspl', 'count', '/', '%', '%RH', '%EL', 'EL', '1/s', '1/min', 'beat/min', 'beats', 'S/m',
]);

export interface Reading {
  /** Appended to the base name. */
  name: string;
  unit?: string;
  value: number | boolean | string | Uint8Array;
  /** UTC milliseconds since the Unix epoch (whole milliseconds). */
  timeMs: number;
  /** Sequence number, for de-duplication downstream. */
  seq: number;
}

export interface PackOptions {
  /** Base name, e.g. "urn:dev:mac:0024befffe804ff1:". */
  baseName?: string;
  /** Round numeric values to this many decimal places (0-9) and write them in the shortest exact form. */
  decimals?: number;
}

/** A resolved record (RFC 8428 4.6). Exactly one of value/boolValue/stringValue/dataValue, unless sum is given. */
export interface SenmlRecord {
  name: string;
  unit?: string;
  value?: number;
  boolValue?: boolean;
  stringValue?: string;
  dataValue?: Uint8Array;
  sum?: number;
  /** Seconds since the Unix epoch (may be fractional). */
  time: number;
  updateTime?: number;
  seq?: number;
}

export interface ResolveOptions {
  /** Current UTC time in seconds, needed only to resolve relative times (bt + t < 2^28, RFC 8428 4.5.3). */
  nowSeconds?: number;
  /**
   * The base name in effect before the pack's first `bn` (default ''): what the context names,
   * e.g. `urn:dev:<deviceId>:` from the MQTT topic `<prefix>/<deviceId>/up` of a pack the node
   * sent without one. A `bn` in the pack replaces it, as any later `bn` replaces an earlier one.
   */
  baseName?: string;
}

const UNIT_SET: Readonly<Record<string, true>> = Object.freeze(Object.fromEntries(SENML_UNITS.map((u) => [u, true] as const)));
const RELATIVE_LIMIT = 268435456; // 2^28 s: smaller times are relative to now (RFC 8428 4.5.3)
const NAME = /^[A-Za-z0-9][A-Za-z0-9\-:./_]*$/; // RFC 8428 4.5.1
const BASE_VERSION = 10;
const FEATURE_SECONDARY_UNITS = 16; // RFC 9100: bver 26 = base + secondary units (only unit strings change)

function invalid(detail: string): never {
  throw new FirmwareError('ERR_SENML_INVALID', detail);
}

// ---- guards ---------------------------------------------------------------------------------

function areading(r: unknown, i: number): Reading {
  if (typeof r !== 'object' || r === null) invalid(`reading ${i} is not an object`);
  const { name, unit, value, timeMs, seq } = r as Partial<Reading>;
  if (typeof name !== 'string') invalid(`reading ${i}: name must be a string`);
  if (unit !== undefined && !(typeof unit === 'string' && Object.hasOwn(UNIT_SET, unit))) invalid(`reading ${i}: unit ${String(unit)} is not an RFC 8428 unit`);
  if (!(typeof value === 'boolean' || typeof value === 'string' || value instanceof Uint8Array || (typeof value === 'number' && Number.isFinite(value)))) {
    invalid(`reading ${i}: value must be a finite number, boolean, string or Uint8Array`);
  }
  if (typeof timeMs !== 'number' || !Number.isSafeInteger(timeMs) || timeMs < RELATIVE_LIMIT * 1000) {
    invalid(`reading ${i}: timeMs must be whole UTC milliseconds after 1978-07-04 (smaller times read as relative)`);
  }
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) invalid(`reading ${i}: seq must be a non-negative integer`);
  return r as Reading;
}

function aoptions(options: unknown): PackOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) invalid('options must be an object');
  const { baseName, decimals } = options as PackOptions;
  if (baseName !== undefined && typeof baseName !== 'string') invalid('baseName must be a string');
  if (decimals !== undefined && !(Number.isInteger(decimals) && decimals >= 0 && decimals <= 9)) invalid('decimals must be 0-9');
  return options as PackOptions;
}

// ---- building -------------------------------------------------------------------------------

/** Bytes of a CBOR integer head for n (RFC 8949 3). */
function headLength(n: number): number {
  const a = n < 0 ? -1 - n : n;
  return a < 24 ? 1 : a < 0x100 ? 2 : a < 0x10000 ? 3 : a < 4294967296 ? 5 : 9;
}

/**
 * Shortest head (RFC 8949 4.2.1) of major type 0 or 1 for the integer n, |n| < 2^32, at `at`;
 * returns the next position. Plain function, no writer object: on XS every call and property
 * access is metered, and the pack is written at every reporting wake.
 */
function intHead(b: Uint8Array, at: number, n: number): number {
  let mt = 0;
  if (n < 0) {
    mt = 0x20;
    n = -1 - n;
  }
  if (n < 24) b[at++] = mt | n;
  else if (n < 0x100) { b[at++] = mt | 24; b[at++] = n; }
  else if (n < 0x10000) { b[at++] = mt | 25; b[at++] = n >>> 8; b[at++] = n & 0xff; }
  else { b[at++] = mt | 26; b[at++] = n >>> 24; b[at++] = (n >>> 16) & 0xff; b[at++] = (n >>> 8) & 0xff; b[at++] = n & 0xff; }
  return at;
}

/** A text string (major type 3) at `at`; returns the next position. The caller reserved 5 + 3 * length bytes. */
function textItem(b: Uint8Array, at: number, t: string): number {
  const n = t.length;
  if (n < 24) {
    // One pass for ASCII (its UTF-8 length is its JS length); anything else is written again below.
    let i = 0, k = at + 1;
    for (; i < n; i++) {
      const c = t.charCodeAt(i);
      if (c >= 0x80) break;
      b[k++] = c;
    }
    if (i === n) {
      b[at] = 0x60 | n;
      return k;
    }
  }
  const len = utf8EncodedLength(t);
  if (len < 0) throw new FirmwareError('ERR_CBOR_UTF8', 'text string with a lone surrogate');
  const head = at;
  at = intHead(b, at, len);
  b[head]! |= 0x60;
  return utf8EncodeInto(t, b, at);
}

/** Any other item through the deterministic encoder (floats, large integers, bytes). */
function otherItem(b: Uint8Array, at: number, v: unknown): number {
  const bytes = encode(v);
  b.set(bytes, at);
  return at + bytes.length;
}

/** An integer (|n| < 2^32: a head) or any other number, at `at`. */
function numberItem(b: Uint8Array, at: number, v: number): number {
  if (v > -4294967297 && v < 4294967296 && Math.floor(v) === v && !(v === 0 && 1 / v < 0)) return intHead(b, at, v);
  return otherItem(b, at, v);
}

/**
 * mantissa * 10^exponent (|mantissa| a safe integer, exponent <= 0) in its shortest exact CBOR
 * form at `at`: an integer, a float, or a decimal fraction 4([exponent, mantissa]) (RFC 8949
 * 3.4.4, RFC 8428 6), whichever is shortest.
 */
function decimalItem(b: Uint8Array, at: number, mantissa: number, exponent: number): number {
  while (exponent < 0 && mantissa % 10 === 0) {
    mantissa /= 10;
    exponent += 1;
  }
  if (exponent === 0) return numberItem(b, at, mantissa === 0 ? 0 : mantissa);
  const plain = mantissa / 10 ** -exponent; // correctly rounded: the double nearest the decimal
  // A float that binary32 holds takes at most 5 bytes, and no fraction beats it (a 4-byte
  // fraction has a mantissa below 24: such dyadic decimals, 0.5 and 1.5, are binary16). Any
  // other float takes 9: the fraction 4([e, m]) wins when its two heads fit in 6 bytes.
  if (Math.fround(plain) === plain || 2 + headLength(exponent) + headLength(mantissa) >= 9) return otherItem(b, at, plain);
  b[at] = 0xc4; // tag 4
  b[at + 1] = 0x82; // [exponent, mantissa]
  return intHead(b, intHead(b, at + 2, exponent), mantissa);
}

/** Name characters after a valid base name (RFC 8428 4.5.1). */
const NAME_REST = /^[A-Za-z0-9\-:./_]*$/;

/**
 * Pack of `readings` as deterministic CBOR bytes (application/senml+cbor). Each record's labels
 * are written in the bytewise order of their encoded keys (RFC 8949 4.2.1), as encode() would
 * sort them: 0 n, 1 u, 2 v | 3 vs | 4 vb, 6 t, 8 vd, -2 bn, -3 bt, then "q".
 */
export function buildPack(readings: readonly Reading[], options?: PackOptions): Uint8Array {
  if (!Array.isArray(readings) || readings.length === 0) invalid('a pack needs at least one reading (RFC 8428 11: 1* record)');
  const { baseName = '', decimals } = aoptions(options);
  const count = readings.length;
  const baseMs = areading(readings[0], 0).timeMs;
  // After a valid base name any run of name characters is a valid name: one test of each part.
  const baseValid = baseName !== '' && NAME.test(baseName);
  const scale = decimals === undefined ? 0 : 10 ** decimals;
  // Room for the worst case, so that no write checks it: per record at most 5 heads of 9 bytes,
  // a decimal fraction for v and t, 3 UTF-8 bytes per UTF-16 unit of text.
  let size = 16 + 3 * baseName.length;
  for (let i = 0; i < count; i++) {
    const { name, unit, value } = i === 0 ? readings[0]! : areading(readings[i], i);
    size += 80 + 3 * name.length + (unit === undefined ? 0 : unit.length) + (typeof value === 'string' ? 3 * value.length : value instanceof Uint8Array ? value.length : 0);
  }
  const b = new Uint8Array(size);
  let at = intHead(b, 0, count);
  b[0]! |= 0x80; // major type 4: the array of records
  let expectedSeq = -1;
  for (let i = 0; i < count; i++) {
    const r = readings[i]!;
    const name = r.name, unit = r.unit, value = r.value, timeMs = r.timeMs, seq = r.seq;
    if (!(baseValid ? NAME_REST.test(name) : NAME.test(baseName + name))) {
      invalid(`reading ${i}: name ${JSON.stringify(baseName + name)} is not a valid SenML name`);
    }
    const ownSeq = seq !== expectedSeq;
    const bytes = value instanceof Uint8Array;
    const fields = (name !== '' ? 1 : 0) + (unit !== undefined ? 1 : 0) + 1 + (timeMs !== baseMs ? 1 : 0)
      + (i === 0 ? (baseName !== '' ? 2 : 1) : 0) + (ownSeq ? 1 : 0);
    b[at++] = 0xa0 | fields; // a map of at most 7 entries
    if (name !== '') { b[at++] = 0x00; at = textItem(b, at, name); }
    if (unit !== undefined) { b[at++] = 0x01; at = textItem(b, at, unit); }
    if (typeof value === 'number') {
      const scaled = decimals === undefined ? NaN : Math.round(value * scale);
      b[at++] = 0x02;
      at = Number.isSafeInteger(scaled) ? decimalItem(b, at, scaled, -(decimals as number)) : numberItem(b, at, value);
    } else if (typeof value === 'string') { b[at++] = 0x03; at = textItem(b, at, value); }
    else if (typeof value === 'boolean') { b[at++] = 0x04; b[at++] = value ? 0xf5 : 0xf4; }
    if (timeMs !== baseMs) { b[at++] = 0x06; at = decimalItem(b, at, timeMs - baseMs, -3); }
    if (bytes) { b[at++] = 0x08; at = otherItem(b, at, value); }
    if (i === 0) {
      if (baseName !== '') { b[at++] = 0x21; at = textItem(b, at, baseName); }
      b[at++] = 0x22;
      at = decimalItem(b, at, baseMs, -3);
    }
    if (ownSeq) {
      b[at++] = 0x61; // the text label "q"
      b[at++] = 0x71;
      at = numberItem(b, at, seq);
    }
    expectedSeq = seq + 1;
  }
  return b.slice(0, at);
}

// ---- resolving ------------------------------------------------------------------------------

/** A SenML number: int, float or decimal fraction (RFC 8428 6), finite. */
function num(x: unknown, label: string): number {
  let n: number | undefined;
  if (typeof x === 'number') n = x;
  else if (typeof x === 'bigint') n = Number(x);
  else if (x instanceof Tagged && x.tag === 4 && Array.isArray(x.value) && x.value.length === 2) {
    const [e, m] = x.value as unknown[];
    if (Number.isSafeInteger(e) && (Number.isSafeInteger(m) || typeof m === 'bigint')) {
      const exp = e as number, mant = Number(m);
      n = exp < 0 ? mant / 10 ** -exp : mant * 10 ** exp;
    }
  }
  if (n === undefined || !Number.isFinite(n)) invalid(`${label} must be a finite number`);
  return n;
}

function text(x: unknown, label: string): string {
  if (typeof x !== 'string') invalid(`${label} must be a text string`);
  return x;
}

interface Fields { [label: string]: unknown }

/** Labels of one record, type-checked (RFC 8428 6, Table 4), unknown labels dropped (4.4). */
function fieldsOf(record: unknown, i: number): Fields {
  let entries: [unknown, unknown][];
  if (record instanceof Map) entries = [...record];
  else if (typeof record === 'object' && record !== null && !Array.isArray(record) && !(record instanceof Uint8Array) && !(record instanceof Tagged)) entries = Object.entries(record);
  else invalid(`record ${i} is not a map`);
  const f: Fields = {};
  for (const [key, x] of entries) {
    if (typeof key === 'string') {
      if (key === SEQ_LABEL) {
        if (!Number.isSafeInteger(x) || (x as number) < 0) invalid(`record ${i}: ${key} must be a non-negative integer`);
        f[key] = x;
      } else if (key.endsWith('_')) {
        throw new FirmwareError('ERR_SENML_MUST_UNDERSTAND', `record ${i}: label ${key}`); // RFC 8428 4.4
      }
      continue; // other text labels: not understood, ignored (RFC 8428 4.4)
    }
    if (typeof key !== 'number' && typeof key !== 'bigint') invalid(`record ${i}: label must be an integer or text`);
    const label = (Object.keys(SENML_LABEL) as (keyof typeof SENML_LABEL)[]).find((l) => SENML_LABEL[l] === key);
    if (label === undefined) continue; // an integer label we do not know: ignored like any unknown label
    const where = `record ${i}: ${label}`;
    switch (label) {
      case 'bver':
        if (!Number.isSafeInteger(x) || (x as number) < 0) invalid(`${where} must be an unsigned integer`);
        f.bver = x;
        break;
      case 'bn': case 'bu': case 'n': case 'u': case 'vs':
        f[label] = text(x, where);
        break;
      case 'vb':
        if (typeof x !== 'boolean') invalid(`${where} must be true or false`);
        f.vb = x;
        break;
      case 'vd':
        if (!(x instanceof Uint8Array)) invalid(`${where} must be a byte string`);
        f.vd = x;
        break;
      default:
        f[label] = num(x, where); // bt bv bs v s t ut
    }
  }
  return f;
}

/**
 * Resolves a pack (bytes or an already decoded array) into full records in time order
 * (RFC 8428 4.6). Throws ERR_SENML_INVALID, ERR_SENML_VERSION, ERR_SENML_MUST_UNDERSTAND, or an
 * ERR_CBOR_* code for bytes that are not CBOR.
 */
export function resolvePack(pack: Uint8Array | unknown, options: ResolveOptions = {}): SenmlRecord[] {
  const records = pack instanceof Uint8Array ? decode(pack) : pack;
  if (!Array.isArray(records) || records.length === 0) invalid('a pack is a non-empty array of records');
  const { nowSeconds, baseName = '' } = options;
  if (nowSeconds !== undefined && !Number.isFinite(nowSeconds)) invalid('nowSeconds must be a finite number');
  if (typeof baseName !== 'string') invalid('baseName must be a string');
  let version: number | undefined;
  let bn = baseName, bt = 0, bv: number | undefined, bu: string | undefined, bs: number | undefined;
  let nextSeq: number | undefined; // after a numbered record: the number of the next record without its own
  const out: { rec: SenmlRecord; index: number }[] = [];
  records.forEach((record, index) => {
    const f = fieldsOf(record, index);
    if (f.bver !== undefined || index === 0) {
      const v = (f.bver as number | undefined) ?? BASE_VERSION;
      // One version per pack (RFC 8428 4.4); RFC 9100 features: only "secondary units" is known.
      if (v !== BASE_VERSION && v !== (BASE_VERSION | FEATURE_SECONDARY_UNITS)) throw new FirmwareError('ERR_SENML_VERSION', `bver ${v}`);
      if (version !== undefined && v !== version) throw new FirmwareError('ERR_SENML_VERSION', `record ${index} changes bver to ${v}`);
      version = v;
    }
    if (f.bn !== undefined) bn = f.bn as string;
    if (f.bt !== undefined) bt = f.bt as number;
    if (f.bu !== undefined) bu = f.bu as string;
    if (f.bv !== undefined) bv = f.bv as number;
    if (f.bs !== undefined) bs = f.bs as number;
    const name = bn + ((f.n as string | undefined) ?? '');
    if (!NAME.test(name)) invalid(`record ${index}: name ${JSON.stringify(name)} is not a valid SenML name (RFC 8428 4.5.1)`);
    const valueCount = ['v', 'vb', 'vs', 'vd'].filter((l) => f[l] !== undefined).length;
    if (valueCount > 1 || (valueCount === 0 && f.s === undefined)) invalid(`record ${index}: needs exactly one value (RFC 8428 4.2)`);
    let time = bt + ((f.t as number | undefined) ?? 0);
    if (time < RELATIVE_LIMIT) {
      if (nowSeconds === undefined) invalid(`record ${index}: relative time ${time} s needs nowSeconds`);
      time += nowSeconds;
    }
    const rec: SenmlRecord = { name, time };
    const unit = (f.u as string | undefined) ?? bu;
    if (unit !== undefined) rec.unit = unit;
    if (f.v !== undefined) rec.value = bv === undefined ? (f.v as number) : bv + (f.v as number); // keeps -0 without bv
    if (f.vb !== undefined) rec.boolValue = f.vb as boolean;
    if (f.vs !== undefined) rec.stringValue = f.vs as string;
    if (f.vd !== undefined) rec.dataValue = f.vd as Uint8Array;
    if (f.s !== undefined || bs !== undefined) rec.sum = (bs ?? 0) + ((f.s as number | undefined) ?? 0);
    if (f.ut !== undefined) rec.updateTime = f.ut as number;
    // Its own number, else one more than the record before (once a record carried one).
    const seq = (f[SEQ_LABEL] as number | undefined) ?? nextSeq;
    if (seq !== undefined) {
      rec.seq = seq;
      nextSeq = seq + 1;
    }
    out.push({ rec, index });
  });
  out.sort((a, b) => a.rec.time - b.rec.time || a.index - b.index); // time order, stable (RFC 8428 4.6)
  return out.map((o) => o.rec);
}
