import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOARDS, partitionCsv } from '../../tools/esp32/boards.js';
import {
  compareTables, decodePartitionTable, encodePartitionTable, subtypeCode, TABLE_MAX_LENGTH,
} from '../../tools/esp32/partition-binary.js';
import {
  checkPartitionTable, flashBytes, flashLayout, IMAGE_BUDGET, otaSlots, type Partition, parsePartitionCsv, parseSize,
  readPartitionCsv,
} from '../../tools/esp32/partitions.js';

const root = resolve(import.meta.dirname, '../..');

const TABLES = [
  { size: '4mb', bytes: 0x400000 },
  { size: '8mb', bytes: 0x800000 },
] as const;

describe.each(TABLES)('manifests/partitions/partitions-$size.csv', ({ size, bytes }) => {
  const table = readPartitionCsv(partitionCsv(root, size));

  it('breaks none of the rules', () => {
    expect(checkPartitionTable(table, bytes)).toEqual([]);
  });

  it('aligns apps on 64 KB and data on 4 KB, with sizes in whole sectors', () => {
    for (const p of table) {
      expect(p.offset % (p.type === 'app' ? 0x10000 : 0x1000), p.name).toBe(0);
      expect(p.size % 0x1000, p.name).toBe(0);
    }
  });

  it('keeps every partition above the partition table, inside the flash and apart from the others', () => {
    const sorted = [...table].sort((a, b) => a.offset - b.offset);
    expect(sorted[0]!.offset).toBeGreaterThanOrEqual(0x9000);
    for (let i = 0; i < sorted.length; i++) {
      const p = sorted[i]!;
      expect(p.offset + p.size, p.name).toBeLessThanOrEqual(bytes);
      if (i > 0) expect(sorted[i - 1]!.offset + sorted[i - 1]!.size, `${sorted[i - 1]!.name} / ${p.name}`).toBeLessThanOrEqual(p.offset);
    }
  });

  it('has exactly one otadata of 0x2000 bytes', () => {
    const otadata = table.filter((p) => p.type === 'data' && p.subtype === 'ota');
    expect(otadata.map((p) => p.size)).toEqual([0x2000]);
  });

  it('has two equal OTA slots, each larger than the image budget, and no factory app', () => {
    const slots = otaSlots(table);
    expect(slots.map((s) => s.subtype)).toEqual(['ota_0', 'ota_1']);
    expect(slots[0]!.size).toBe(slots[1]!.size);
    expect(slots[0]!.size).toBeGreaterThanOrEqual(IMAGE_BUDGET);
    expect(table.some((p) => p.subtype === 'factory')).toBe(false);
  });

  it('has nvs, phy_init and a data partition named outbox for the store-and-forward queue', () => {
    expect(table.find((p) => p.subtype === 'nvs')).toBeDefined();
    expect(table.find((p) => p.subtype === 'phy')).toBeDefined();
    const outbox = table.find((p) => p.name === 'outbox');
    expect(outbox?.type).toBe('data');
    expect(outbox!.size).toBeGreaterThanOrEqual(0x20000);
  });

  it('gives the flash tool otadata and ota_0 offsets', () => {
    const layout = flashLayout(table);
    expect(layout.app).toBe(0x10000);
    expect(layout.otadata).toBe(table.find((p) => p.name === 'otadata')!.offset);
  });

  it('encodes to a binary table that decodes to the same partitions', () => {
    const bin = encodePartitionTable(table);
    expect(bin.length).toBe(TABLE_MAX_LENGTH);
    const decoded = decodePartitionTable(bin);
    expect(decoded.map((e) => e.name)).toEqual(table.map((p) => p.name));
    expect(compareTables(decoded, table)).toEqual([]);
  });
});

describe('every board in the tool table has a partition table for its flash size', () => {
  for (const board of BOARDS) {
    it(board.platform, () => {
      expect(checkPartitionTable(readPartitionCsv(partitionCsv(root, board.flashSize)), flashBytes(board.flashSize))).toEqual([]);
    });
  }
});

function table(rows: string): Partition[] {
  return parsePartitionCsv(rows);
}

const GOOD = `
nvs,      data, nvs,     0x9000,   0x4000,
otadata,  data, ota,     0xd000,   0x2000,
phy_init, data, phy,     0xf000,   0x1000,
ota_0,    app,  ota_0,   0x10000,  0x1e0000,
ota_1,    app,  ota_1,   0x1f0000, 0x1e0000,
outbox,   data, 0x40,    0x3d0000, 0x30000,
`;

describe('checkPartitionTable finds broken tables', () => {
  const check = (rows: string, flash = 0x400000) => checkPartitionTable(table(rows), flash).join('\n');

  it('accepts the reference table', () => expect(check(GOOD)).toBe(''));
  it('overlap', () => expect(check(GOOD.replace('ota_1,    app,  ota_1,   0x1f0000', 'ota_1,    app,  ota_1,   0x1e0000'))).toMatch(/ota_1 overlaps ota_0/));
  it('an app off the 64 KB grid', () => expect(check(GOOD.replace('0x1f0000, 0x1e0000', '0x1f1000, 0x1e0000'))).toMatch(/not 64 KB aligned/));
  it('a data partition off the 4 KB grid', () => expect(check(GOOD.replace('0x3d0000, 0x30000', '0x3d0800, 0x2f000'))).toMatch(/not 4 KB aligned/));
  it('otadata of the wrong size', () => expect(check(GOOD.replace('0xd000,   0x2000', '0xd000,   0x1000'))).toMatch(/exactly 0x2000/));
  it('slots of different sizes', () => expect(check(GOOD.replace('ota_1,    app,  ota_1,   0x1f0000, 0x1e0000', 'ota_1,    app,  ota_1,   0x1f0000, 0x1d0000'))).toMatch(/differ in size/));
  it('slots below the image budget', () => expect(checkPartitionTable(table(GOOD), 0x400000, 0x1f0000).join()).toMatch(/below the image budget/));
  it('a partition past the end of flash', () => expect(check(GOOD, 0x3e0000)).toMatch(/outbox: ends at 0x400000, beyond/));
  it('a partition over the partition table', () => expect(check(GOOD.replace('0x9000,   0x4000', '0x8000,   0x5000'))).toMatch(/overlaps the bootloader/));
  it('a factory app', () => expect(check(`${GOOD}factory, app, factory, 0x400000, 0x10000,`, 0x800000)).toMatch(/factory/));
  it('a missing nvs', () => expect(check(GOOD.replace(/^nvs.*$/m, ''))).toMatch(/no nvs/));
  it('a single slot', () => expect(check(GOOD.replace(/^ota_1.*$/m, ''))).toMatch(/expected app slots ota_0 and ota_1/));
  it('rejects rows without an explicit offset', () => expect(() => table('nvs, data, nvs, , 0x4000,')).toThrow(/explicit offset/));
  it('rejects unknown types', () => expect(() => table('x, code, nvs, 0x9000, 0x4000,')).toThrow(/not app or data/));
});

describe('sizes as gen_esp32part.py writes them', () => {
  it.each([['0x1000', 0x1000], ['4096', 4096], ['4K', 4096], ['1M', 0x100000], ['0x10k', 0x4000]])('%s', (text, value) => {
    expect(parseSize(text)).toBe(value);
  });
  it('refuses words', () => expect(() => parseSize('big')).toThrow(/not a size/));
});

describe('binary partition table encoding', () => {
  const bin = encodePartitionTable(table(GOOD));

  it('writes the first entry as the bootloader reads it', () => {
    // magic, type data, subtype nvs, offset 0x9000, size 0x4000 (little endian), label, flags 0
    expect([...bin.subarray(0, 12)]).toEqual([0xaa, 0x50, 0x01, 0x02, 0x00, 0x90, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00]);
    expect(Buffer.from(bin.subarray(12, 28)).toString('latin1')).toBe(`nvs${'\0'.repeat(13)}`);
    expect([...bin.subarray(28, 32)]).toEqual([0, 0, 0, 0]);
  });

  it('codes app subtypes ota_N as 0x10 + N and custom subtypes as written', () => {
    expect(bin[3 * 32 + 2]).toBe(0x00);
    expect(bin[3 * 32 + 3]).toBe(0x10);
    expect(bin[4 * 32 + 3]).toBe(0x11);
    expect(bin[5 * 32 + 3]).toBe(0x40);
    expect(subtypeCode('data', 'spiffs')).toBe(0x82);
    expect(() => subtypeCode('app', 'nvs')).toThrow(/unknown app subtype/);
  });

  it('ends with an MD5 entry over the entries and 0xFF fill', () => {
    const md5At = 6 * 32;
    expect([...bin.subarray(md5At, md5At + 16)]).toEqual([0xeb, 0xeb, ...new Array<number>(14).fill(0xff)]);
    expect(bin.subarray(md5At + 32).every((b) => b === 0xff)).toBe(true);
  });

  it('refuses a table whose MD5 does not match', () => {
    const bad = bin.slice();
    bad[4] ^= 1;
    expect(() => decodePartitionTable(bad)).toThrow(/MD5/);
  });

  it('refuses an entry without magic', () => {
    const bad = bin.slice();
    bad[32] = 0x12;
    expect(() => decodePartitionTable(bad)).toThrow(/magic/);
  });

  it('reports every difference between a build and the CSV', () => {
    const other = decodePartitionTable(encodePartitionTable(table(GOOD.replace('0x3d0000, 0x30000', '0x3e0000, 0x20000'))));
    expect(compareTables(other, table(GOOD))).toEqual([
      'outbox: offset is 0x3e0000 in the build, 0x3d0000 in the CSV',
      'outbox: size is 0x20000 in the build, 0x30000 in the CSV',
    ]);
  });
});

describe('sdkconfig fragments', () => {
  const dir = join(root, 'manifests', 'sdkconfig');
  const settings = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('CONFIG_'));

  it('enable app rollback and the task watchdog', () => {
    const base = settings(join(dir, 'sdkconfig.defaults'));
    expect(base).toContain('CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y');
    expect(base).toContain('CONFIG_ESP_TASK_WDT_EN=y');
    expect(base.some((l) => /^CONFIG_ESP_TASK_WDT_TIMEOUT_S=\d+$/.test(l))).toBe(true);
  });

  it('the 8 MB set is the 4 MB set with the flash size changed', () => {
    const four = settings(join(dir, 'sdkconfig.defaults'));
    const eight = settings(join(dir, 'flash-8mb', 'sdkconfig.defaults'));
    expect(eight).toEqual(four.map((l) => (l === 'CONFIG_ESPTOOLPY_FLASHSIZE_4MB=y' ? 'CONFIG_ESPTOOLPY_FLASHSIZE_8MB=y' : l)));
    expect(readFileSync(join(dir, 'flash-8mb', 'sdkconfig.defaults.release'), 'utf8')).toBe(readFileSync(join(dir, 'sdkconfig.defaults.release'), 'utf8'));
  });

  it('never disables an option with a comment (Moddable skips # lines)', () => {
    for (const file of ['sdkconfig.defaults', 'sdkconfig.defaults.release', 'flash-8mb/sdkconfig.defaults']) {
      expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(/^# CONFIG_\w+ is not set/m);
    }
  });
});
