/**
 * KvPort on a flash partition, surviving a power cut at any write or erase: the node host's
 * stand-in for ESP32 NVS in the OTA sweep.
 *
 * Log-structured in two banks (halves of the partition, each a whole number of sectors):
 *
 *   bank  = header (16 bytes) + records appended in order
 *   header = "KVL1" | u32 generation | u32 crc32(first 8 bytes) | 4 bytes 0xff
 *   record = u8 0xa5 | u8 flags (1 = delete) | u8 keyLength | u8 0 | u16 valueLength | u16 0
 *            | u32 crc32(header bytes 0..7, key, value) | key | value | pad to the write unit
 *
 * The active bank is the one with a valid header and the larger generation. A set or delete
 * appends one record (one write: a torn one fails its CRC and is ignored, so the old value
 * stands). When the active bank is full, or its tail is torn, the live entries are compacted
 * into the other bank: erase it, write the records, and write its header last, which commits
 * the new generation. A cut before that header leaves the old bank in charge.
 *
 * After a mount the log is never appended to: bytes after the last good record may have been
 * partly programmed by a write that a power cut interrupted and still read as erased, and flash
 * must not be programmed twice. So the first write after a mount compacts (three operations
 * instead of one); later writes of the same session append.
 */
import { FirmwareError, type FlashArea, type KvPort } from '../../firmware/index.js';
import { crc32 } from '../../firmware/codec/crc32.js';
import { checkKey, checkValue } from './kv.js';

const MAGIC = 0x314c564b; // "KVL1" little-endian
const HEADER = 16;
const RECORD_HEAD = 12;
const RECORD_MARK = 0xa5;
const FLAG_DELETE = 1;
const MAX_VALUE = 0xffff;

interface Bank { index: 0 | 1; generation: number }

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

export class FlashKv implements KvPort {
  readonly #area: FlashArea;
  readonly #bankSize: number;
  readonly #align: number;
  #entries = new Map<string, Uint8Array>();
  #active: Bank | undefined;
  /** Next append offset in the active bank; undefined until this session has compacted. */
  #tail: number | undefined;
  /** Where the mounted log ends (for logBytes()). */
  #logEnd = 0;

  constructor(area: FlashArea) {
    this.#area = area;
    const sectors = area.size() / area.eraseSize();
    if (!Number.isInteger(sectors) || sectors < 2 || sectors % 2 !== 0) {
      throw new FirmwareError('ERR_FLASH_RANGE', 'kv partition needs an even number (>= 2) of sectors');
    }
    this.#bankSize = area.size() / 2;
    this.#align = area.writeAlign();
    this.#mount();
  }

  get(key: string): Uint8Array | undefined {
    checkKey(key);
    return this.#entries.get(key)?.slice();
  }

  set(key: string, value: Uint8Array): void {
    checkKey(key);
    checkValue(value);
    if (value.length > MAX_VALUE) throw new FirmwareError('ERR_KV_FULL', `value of ${value.length} bytes`);
    this.#append(key, value.slice(), false);
  }

  delete(key: string): void {
    checkKey(key);
    if (!this.#entries.has(key)) return;
    this.#append(key, new Uint8Array(0), true);
  }

  keys(): string[] {
    return [...this.#entries.keys()].sort();
  }

  /** Bytes of the active bank's log in use (header included); the bank size when its tail is torn. */
  logBytes(): number {
    if (this.#active === undefined) return 0;
    return this.#tail ?? this.#logEnd;
  }

  bankBytes(): number {
    return this.#bankSize;
  }

  /** Bytes the live entries take when compacted (header included). */
  usedBytes(): number {
    let n = HEADER;
    for (const [key, value] of this.#entries) n += this.#recordSize(key.length, value.length);
    return n;
  }

  #recordSize(keyLength: number, valueLength: number): number {
    const raw = RECORD_HEAD + keyLength + valueLength;
    return Math.ceil(raw / this.#align) * this.#align;
  }

  #encodeRecord(key: string, value: Uint8Array, remove: boolean): Uint8Array {
    const k = ascii(key);
    const out = new Uint8Array(this.#recordSize(k.length, value.length)).fill(0xff);
    const v = new DataView(out.buffer);
    out[0] = RECORD_MARK;
    out[1] = remove ? FLAG_DELETE : 0;
    out[2] = k.length;
    out[3] = 0;
    v.setUint16(4, value.length, true);
    v.setUint16(6, 0, true);
    out.set(k, RECORD_HEAD);
    out.set(value, RECORD_HEAD + k.length);
    const crc = crc32(value, crc32(k, crc32(out.subarray(0, 8))));
    v.setUint32(8, crc, true);
    return out;
  }

  #encodeHeader(generation: number): Uint8Array {
    const out = new Uint8Array(HEADER).fill(0xff);
    const v = new DataView(out.buffer);
    v.setUint32(0, MAGIC, true);
    v.setUint32(4, generation >>> 0, true);
    v.setUint32(8, crc32(out.subarray(0, 8)), true);
    return out;
  }

  #readHeader(index: 0 | 1): Bank | undefined {
    const h = this.#area.read(index * this.#bankSize, HEADER);
    const v = new DataView(h.buffer, h.byteOffset, HEADER);
    if (v.getUint32(0, true) !== MAGIC || v.getUint32(8, true) !== crc32(h.subarray(0, 8))) return undefined;
    return { index, generation: v.getUint32(4, true) };
  }

  #mount(): void {
    const banks = [this.#readHeader(0), this.#readHeader(1)].filter((b): b is Bank => b !== undefined);
    banks.sort((a, b) => b.generation - a.generation);
    this.#active = banks[0];
    this.#entries = new Map();
    this.#tail = undefined;
    this.#logEnd = 0;
    if (this.#active === undefined) return;
    const base = this.#active.index * this.#bankSize;
    const bank = this.#area.read(base, this.#bankSize);
    const view = new DataView(bank.buffer);
    let at = HEADER;
    for (;;) {
      if (at + RECORD_HEAD > this.#bankSize) {
        this.#logEnd = at;
        return;
      }
      if (bank.subarray(at, at + RECORD_HEAD).every((b) => b === 0xff)) {
        // End of the log. It looks erased, but an interrupted write may have touched it:
        // #tail stays undefined, so the first write compacts into the other bank.
        this.#logEnd = at;
        return;
      }
      const keyLength = bank[at + 2]!;
      const valueLength = view.getUint16(at + 4, true);
      const size = this.#recordSize(keyLength, valueLength);
      const ok = bank[at] === RECORD_MARK && (bank[at + 1]! & ~FLAG_DELETE) === 0 && keyLength > 0 && keyLength <= 15 &&
        at + size <= this.#bankSize &&
        view.getUint32(at + 8, true) === crc32(bank.subarray(at + RECORD_HEAD + keyLength, at + RECORD_HEAD + keyLength + valueLength),
          crc32(bank.subarray(at + RECORD_HEAD, at + RECORD_HEAD + keyLength), crc32(bank.subarray(at, at + 8))));
      if (!ok) {
        this.#logEnd = this.#bankSize; // torn tail: nothing after it was ever committed
        return;
      }
      const key = String.fromCharCode(...bank.subarray(at + RECORD_HEAD, at + RECORD_HEAD + keyLength));
      if (bank[at + 1]! & FLAG_DELETE) this.#entries.delete(key);
      else this.#entries.set(key, bank.slice(at + RECORD_HEAD + keyLength, at + RECORD_HEAD + keyLength + valueLength));
      at += size;
    }
  }

  #append(key: string, value: Uint8Array, remove: boolean): void {
    const record = this.#encodeRecord(key, value, remove);
    if (this.#active !== undefined && this.#tail !== undefined && this.#tail + record.length <= this.#bankSize) {
      this.#area.write(this.#active.index * this.#bankSize + this.#tail, record);
      this.#tail += record.length;
      if (remove) this.#entries.delete(key);
      else this.#entries.set(key, value);
      return;
    }
    const next = new Map(this.#entries);
    if (remove) next.delete(key);
    else next.set(key, value);
    this.#compact(next);
  }

  /** Writes `entries` into the other bank and commits it with its header. */
  #compact(entries: Map<string, Uint8Array>): void {
    const target: 0 | 1 = this.#active === undefined ? 0 : this.#active.index === 0 ? 1 : 0;
    const generation = this.#active === undefined ? 1 : this.#active.generation + 1;
    const records = [...entries].map(([k, v]) => this.#encodeRecord(k, v, false));
    const total = records.reduce((n, r) => n + r.length, HEADER);
    if (total > this.#bankSize) throw new FirmwareError('ERR_KV_FULL', `${total} bytes > bank of ${this.#bankSize}`);
    const base = target * this.#bankSize;
    this.#area.erase(base, this.#bankSize);
    // Records in one write (fewer operations); the header last, as the commit.
    const body = new Uint8Array(total - HEADER);
    let at = 0;
    for (const r of records) {
      body.set(r, at);
      at += r.length;
    }
    if (body.length > 0) this.#area.write(base + HEADER, body);
    this.#area.write(base, this.#encodeHeader(generation));
    this.#active = { index: target, generation };
    this.#entries = entries;
    this.#tail = total;
  }
}
