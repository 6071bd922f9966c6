/**
 * ESP-IDF partition tables in CSV form (the format gen_esp32part.py reads): parse our A/B
 * tables and check the rules the bootloader and esp_ota_* rely on. The flash tool takes the
 * otadata and ota_0 offsets from here, so the offsets it writes are the table's, not guesses.
 *
 * Rules (ESP-IDF docs/en/api-guides/partition-tables.rst, gen_esp32part.py, protocols.md 5):
 * app partitions start on 64 KB and their size is a multiple of 4 KB; data partitions start on
 * 4 KB; nothing overlaps the bootloader/partition-table area below 0x9000 or another partition;
 * otadata is exactly 0x2000 (two sectors, one per copy of esp_ota_select_entry_t).
 */
import { readFileSync } from 'node:fs';

export const PARTITION_TABLE_OFFSET = 0x8000;
/** The table occupies one sector; partitions start after it. */
export const FIRST_PARTITION_OFFSET = 0x9000;
export const APP_ALIGN = 0x10000;
export const APP_SIZE_ALIGN = 0x1000;
export const DATA_ALIGN = 0x1000;
export const OTADATA_SIZE = 0x2000;
/**
 * The largest application image we plan for (xs_esp32.bin: ESP-IDF with Wi-Fi and lwIP, the XS
 * engine, Moddable's JavaScript TLS and the preloaded core). Moddable networking apps build to
 * roughly 1.1-1.5 MB; 1.75 MB leaves room to grow. Every OTA slot must hold it.
 */
export const IMAGE_BUDGET = 0x1c0000;

export type PartitionType = 'app' | 'data';

export interface Partition {
  name: string;
  type: PartitionType;
  /** Subtype as written (ota_0, nvs, 0x40 ...). */
  subtype: string;
  offset: number;
  size: number;
  flags: string[];
  /** 1-based line in the CSV, for messages. */
  line: number;
}

const FLASH_SIZES: Readonly<Record<string, number>> = Object.freeze({
  '2mb': 0x200000,
  '4mb': 0x400000,
  '8mb': 0x800000,
  '16mb': 0x1000000,
});

export function flashBytes(size: string): number {
  const bytes = FLASH_SIZES[size.toLowerCase()];
  if (bytes === undefined) throw new Error(`unknown flash size "${size}" (known: ${Object.keys(FLASH_SIZES).join(', ')})`);
  return bytes;
}

/** Sizes and offsets as gen_esp32part.py accepts them: hex, decimal, or with K/M suffix. */
export function parseSize(text: string): number {
  const t = text.trim();
  const m = /^(0x[0-9a-f]+|\d+)([km])?$/i.exec(t);
  if (m === null) throw new Error(`not a size: "${text}"`);
  const base = Number(m[1]);
  const unit = m[2]?.toLowerCase();
  return unit === 'k' ? base * 1024 : unit === 'm' ? base * 1024 * 1024 : base;
}

export function parsePartitionCsv(text: string): Partition[] {
  const partitions: Partition[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const cells = line.split(',').map((c) => c.trim());
    const [name, type, subtype, offset, size, ...rest] = cells;
    if (name === undefined || type === undefined || subtype === undefined || size === undefined || size === '') {
      throw new Error(`line ${index + 1}: expected "name, type, subtype, offset, size[, flags]"`);
    }
    if (type !== 'app' && type !== 'data') throw new Error(`line ${index + 1}: type "${type}" is not app or data`);
    // Our tables always state offsets: an implicit offset would make the flash tool guess.
    if (offset === undefined || offset === '') throw new Error(`line ${index + 1}: ${name} has no explicit offset`);
    partitions.push({
      name,
      type,
      subtype,
      offset: parseSize(offset),
      size: parseSize(size),
      flags: rest.join(',').split(/[:\s]+/).filter((f) => f !== ''),
      line: index + 1,
    });
  });
  return partitions;
}

export function readPartitionCsv(path: string): Partition[] {
  return parsePartitionCsv(readFileSync(path, 'utf8'));
}

/** Every rule a table breaks, as sentences; empty when the table is good. */
export function checkPartitionTable(partitions: readonly Partition[], flashSize: number, imageBudget = IMAGE_BUDGET): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const p of partitions) {
    if (names.has(p.name)) problems.push(`${p.name}: name used twice`);
    names.add(p.name);
    if (p.name.length > 16) problems.push(`${p.name}: name longer than 16 characters`);
    if (p.size <= 0) problems.push(`${p.name}: size must be positive`);
    if (p.offset < FIRST_PARTITION_OFFSET) problems.push(`${p.name}: offset 0x${hex(p.offset)} overlaps the bootloader or the partition table`);
    if (p.type === 'app') {
      if (p.offset % APP_ALIGN !== 0) problems.push(`${p.name}: app offset 0x${hex(p.offset)} is not 64 KB aligned`);
      if (p.size % APP_SIZE_ALIGN !== 0) problems.push(`${p.name}: app size 0x${hex(p.size)} is not a multiple of 4 KB`);
    } else {
      if (p.offset % DATA_ALIGN !== 0) problems.push(`${p.name}: data offset 0x${hex(p.offset)} is not 4 KB aligned`);
      if (p.size % DATA_ALIGN !== 0) problems.push(`${p.name}: data size 0x${hex(p.size)} is not a multiple of 4 KB`);
    }
    if (p.offset + p.size > flashSize) problems.push(`${p.name}: ends at 0x${hex(p.offset + p.size)}, beyond the 0x${hex(flashSize)} bytes of flash`);
  }
  const sorted = [...partitions].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (prev.offset + prev.size > cur.offset) problems.push(`${cur.name} overlaps ${prev.name}`);
  }
  const otadata = partitions.filter((p) => p.type === 'data' && p.subtype === 'ota');
  if (otadata.length !== 1) problems.push(`expected one otadata (data, ota) partition, found ${otadata.length}`);
  else if (otadata[0]!.size !== OTADATA_SIZE) problems.push(`otadata must be exactly 0x2000 bytes, is 0x${hex(otadata[0]!.size)}`);
  if (partitions.some((p) => p.type === 'app' && p.subtype === 'factory')) {
    problems.push('a factory app partition: Moddable would auto-split it and rollback would fall back to it');
  }
  const slots = otaSlots(partitions);
  if (slots.length !== 2) problems.push(`expected app slots ota_0 and ota_1, found ${slots.map((s) => s.subtype).join(', ') || 'none'}`);
  else {
    if (slots[0]!.size !== slots[1]!.size) problems.push(`ota_0 (0x${hex(slots[0]!.size)}) and ota_1 (0x${hex(slots[1]!.size)}) differ in size`);
    for (const s of slots) {
      if (s.size < imageBudget) problems.push(`${s.name}: 0x${hex(s.size)} bytes is below the image budget of 0x${hex(imageBudget)}`);
    }
  }
  if (!partitions.some((p) => p.type === 'data' && p.subtype === 'nvs')) problems.push('no nvs partition (kv storage, Wi-Fi PHY calibration)');
  if (!partitions.some((p) => p.type === 'data' && p.subtype === 'phy')) problems.push('no phy_init partition');
  return problems;
}

/** ota_0, ota_1 ... in subtype order. */
export function otaSlots(partitions: readonly Partition[]): Partition[] {
  return partitions
    .filter((p) => p.type === 'app' && /^ota_\d+$/.test(p.subtype))
    .sort((a, b) => Number(a.subtype.slice(4)) - Number(b.subtype.slice(4)));
}

export function findPartition(partitions: readonly Partition[], predicate: (p: Partition) => boolean, what: string): Partition {
  const found = partitions.find(predicate);
  if (found === undefined) throw new Error(`the partition table has no ${what}`);
  return found;
}

/** Offsets the flash tool writes, taken from the table. */
export function flashLayout(partitions: readonly Partition[]): { otadata: number; app: number; appSize: number } {
  const otadata = findPartition(partitions, (p) => p.type === 'data' && p.subtype === 'ota', 'otadata partition');
  const app = findPartition(partitions, (p) => p.type === 'app' && p.subtype === 'ota_0', 'ota_0 partition');
  return { otadata: otadata.offset, app: app.offset, appSize: app.size };
}

export function hex(n: number): string {
  return n.toString(16);
}
