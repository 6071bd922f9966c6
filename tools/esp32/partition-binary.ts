/**
 * The binary partition table the bootloader reads at 0x8000, as ESP-IDF's gen_esp32part.py
 * writes it (esp_flash_partitions.h): 32-byte little-endian entries
 *   magic 0xAA 0x50, type u8, subtype u8, offset u32, size u32, label char[16], flags u32,
 * then an MD5 entry (0xEB 0xEB, 14 x 0xFF, MD5 of the entries before it), 0xFF to 0xC00 bytes.
 *
 * The flash tool decodes the partition-table.bin of a build and compares it with our CSV, so a
 * build that did not pick up manifests/partitions/*.csv is caught before its app is written to
 * an offset the device's table does not have.
 */
import { createHash } from 'node:crypto';
import type { Partition, PartitionType } from './partitions.js';

export const TABLE_MAX_LENGTH = 0xc00;
const ENTRY = 32;

const TYPES: Readonly<Record<PartitionType, number>> = Object.freeze({ app: 0x00, data: 0x01 });

const APP_SUBTYPES: Readonly<Record<string, number>> = Object.freeze({ factory: 0x00, test: 0x20 });
const DATA_SUBTYPES: Readonly<Record<string, number>> = Object.freeze({
  ota: 0x00,
  phy: 0x01,
  nvs: 0x02,
  coredump: 0x03,
  nvs_keys: 0x04,
  efuse: 0x05,
  undefined: 0x06,
  esphttpd: 0x80,
  fat: 0x81,
  spiffs: 0x82,
  littlefs: 0x83,
});

export function subtypeCode(type: PartitionType, subtype: string): number {
  if (/^0x[0-9a-f]+$/i.test(subtype) || /^\d+$/.test(subtype)) return Number(subtype);
  if (type === 'app') {
    const ota = /^ota_(\d+)$/.exec(subtype);
    if (ota !== null) return 0x10 + Number(ota[1]);
    const code = APP_SUBTYPES[subtype];
    if (code !== undefined) return code;
  } else {
    const code = DATA_SUBTYPES[subtype];
    if (code !== undefined) return code;
  }
  throw new Error(`unknown ${type} subtype "${subtype}"`);
}

export interface BinaryEntry {
  name: string;
  type: number;
  subtype: number;
  offset: number;
  size: number;
  flags: number;
}

const FLAG_BITS: Readonly<Record<string, number>> = Object.freeze({ encrypted: 1, readonly: 2 });

export function toBinaryEntry(p: Partition): BinaryEntry {
  let flags = 0;
  for (const f of p.flags) {
    const bit = FLAG_BITS[f];
    if (bit === undefined) throw new Error(`${p.name}: unknown flag "${f}"`);
    flags |= bit;
  }
  return { name: p.name, type: TYPES[p.type], subtype: subtypeCode(p.type, p.subtype), offset: p.offset, size: p.size, flags };
}

export function encodePartitionTable(partitions: readonly Partition[]): Uint8Array {
  const entries = partitions.map(toBinaryEntry);
  const length = (entries.length + 1) * ENTRY;
  if (length > TABLE_MAX_LENGTH) throw new Error('too many partitions for one table');
  const out = new Uint8Array(TABLE_MAX_LENGTH).fill(0xff);
  const view = new DataView(out.buffer);
  entries.forEach((e, i) => {
    const at = i * ENTRY;
    out[at] = 0xaa;
    out[at + 1] = 0x50;
    out[at + 2] = e.type;
    out[at + 3] = e.subtype;
    view.setUint32(at + 4, e.offset, true);
    view.setUint32(at + 8, e.size, true);
    const label = new TextEncoder().encode(e.name);
    if (label.length > 16) throw new Error(`${e.name}: label longer than 16 bytes`);
    out.fill(0, at + 12, at + 28);
    out.set(label, at + 12);
    view.setUint32(at + 28, e.flags, true);
  });
  const md5At = entries.length * ENTRY;
  out[md5At] = 0xeb;
  out[md5At + 1] = 0xeb;
  out.set(createHash('md5').update(out.subarray(0, md5At)).digest(), md5At + 16);
  return out;
}

/** Entries of a binary table; checks the magic of each entry and the MD5 when present. */
export function decodePartitionTable(bytes: Uint8Array): BinaryEntry[] {
  const entries: BinaryEntry[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + ENTRY <= Math.min(bytes.length, TABLE_MAX_LENGTH); at += ENTRY) {
    const a = bytes[at]!;
    const b = bytes[at + 1]!;
    if (a === 0xff && b === 0xff) return entries;
    if (a === 0xeb && b === 0xeb) {
      const expected = createHash('md5').update(bytes.subarray(0, at)).digest();
      const stored = bytes.subarray(at + 16, at + 32);
      if (!expected.equals(stored)) throw new Error('partition table MD5 does not match its entries');
      return entries;
    }
    if (a !== 0xaa || b !== 0x50) throw new Error(`partition table entry at 0x${at.toString(16)} has no 0xAA50 magic`);
    const labelBytes = bytes.subarray(at + 12, at + 28);
    const end = labelBytes.indexOf(0);
    entries.push({
      name: new TextDecoder().decode(end < 0 ? labelBytes : labelBytes.subarray(0, end)),
      type: bytes[at + 2]!,
      subtype: bytes[at + 3]!,
      offset: view.getUint32(at + 4, true),
      size: view.getUint32(at + 8, true),
      flags: view.getUint32(at + 28, true),
    });
  }
  return entries;
}

/** Differences between a built table and the CSV it should come from; empty when they agree. */
export function compareTables(built: readonly BinaryEntry[], expected: readonly Partition[]): string[] {
  const want = expected.map(toBinaryEntry);
  const problems: string[] = [];
  if (built.length !== want.length) problems.push(`${built.length} partitions built, ${want.length} in the CSV`);
  for (const w of want) {
    const b = built.find((e) => e.name === w.name);
    if (b === undefined) {
      problems.push(`${w.name} is missing from the built table`);
      continue;
    }
    for (const key of ['type', 'subtype', 'offset', 'size', 'flags'] as const) {
      if (b[key] !== w[key]) problems.push(`${w.name}: ${key} is 0x${b[key].toString(16)} in the build, 0x${w[key].toString(16)} in the CSV`);
    }
  }
  return problems;
}
