import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partitionCsv } from '../../tools/esp32/boards.js';
import { flashCli, type FlashCliOptions } from '../../tools/esp32/flash.js';
import { encodePartitionTable } from '../../tools/esp32/partition-binary.js';
import { parsePartitionCsv, readPartitionCsv } from '../../tools/esp32/partitions.js';
import { type FakeBin, fakeBin } from './fake-bin.js';

const root = resolve(import.meta.dirname, '../..');

describe('npm run flash', () => {
  let bin: FakeBin;
  let build: string;
  let printed: string[];
  const file = (name: string) => join(build, name);

  function makeBuild(flashSize: '4mb' | '8mb', appBytes = 0x3000): void {
    writeFileSync(file('bootloader.bin'), new Uint8Array(0x5000).fill(0xe9));
    writeFileSync(file('partition-table.bin'), encodePartitionTable(readPartitionCsv(partitionCsv(root, flashSize))));
    writeFileSync(file('xs_esp32.bin'), new Uint8Array(appBytes).fill(0x42));
  }

  beforeEach(() => {
    bin = fakeBin();
    build = mkdtempSync(join(tmpdir(), 'sn-build-'));
    printed = [];
  });
  afterEach(() => {
    bin.cleanup();
    rmSync(build, { recursive: true, force: true });
  });

  const flash = (o: Partial<FlashCliOptions>) =>
    flashCli({ board: 'esp32', baud: '921600', binDir: build, ...o }, root, { PATH: bin.dir }, (line) => printed.push(line));

  it('writes bootloader, table, blank otadata and app at our offsets with esptool v5 (ESP32-S3)', () => {
    bin.add('esptool', 'esptool v5.1.0\n5.1.0');
    makeBuild('8mb');
    flash({ board: 'esp32/esp32s3', port: '/dev/ttyACM0' });
    expect(bin.calls('esptool')).toEqual([[
      '--chip', 'esp32s3', '--port', '/dev/ttyACM0', '--baud', '921600', '--before', 'default-reset', '--after', 'hard-reset', 'write-flash',
      '0x0', file('bootloader.bin'), '0x8000', file('partition-table.bin'), '0xd000', file('ota_data_initial.bin'), '0x10000', file('xs_esp32.bin'),
    ]]);
  });

  it('puts the ESP32 bootloader at 0x1000', () => {
    bin.add('esptool', 'esptool v5.0.0');
    makeBuild('4mb');
    flash({ board: 'esp32', port: '/dev/ttyUSB0', baud: '460800' });
    const args = bin.calls('esptool')[0]!;
    expect(args.slice(0, 6)).toEqual(['--chip', 'esp32', '--port', '/dev/ttyUSB0', '--baud', '460800']);
    expect(args.slice(args.indexOf('write-flash') + 1, args.indexOf('write-flash') + 3)).toEqual(['0x1000', file('bootloader.bin')]);
  });

  it('writes ota_data_initial.bin as 0x2000 bytes of 0xFF when the build has none', () => {
    bin.add('esptool', 'esptool v5.0.0');
    makeBuild('4mb');
    flash({ port: '/dev/ttyUSB0' });
    const otadata = readFileSync(file('ota_data_initial.bin'));
    expect(otadata.length).toBe(0x2000);
    expect(otadata.every((b) => b === 0xff)).toBe(true);
  });

  it('falls back to esptool.py (v4) with underscores', () => {
    bin.add('esptool.py', 'esptool.py v4.8.1\n4.8.1');
    makeBuild('4mb');
    flash({ board: 'esp32/esp32c3', port: '/dev/ttyUSB1' });
    expect(bin.calls('esptool.py')).toEqual([[
      '--chip', 'esp32c3', '--port', '/dev/ttyUSB1', '--baud', '921600', '--before', 'default_reset', '--after', 'hard_reset', 'write_flash',
      '0x0', file('bootloader.bin'), '0x8000', file('partition-table.bin'), '0xd000', file('ota_data_initial.bin'), '0x10000', file('xs_esp32.bin'),
    ]]);
  });

  it('prefers esptool over esptool.py, and spells v4 commands when `esptool` is a v4 install', () => {
    bin.add('esptool', 'esptool.py v4.5.1');
    bin.add('esptool.py', 'esptool.py v4.5.1');
    makeBuild('4mb');
    flash({ port: '/dev/ttyUSB0' });
    expect(bin.calls('esptool')[0]).toContain('write_flash');
    expect(bin.calls('esptool.py')).toEqual([]);
  });

  it('names how to get esptool when neither is on PATH', () => {
    makeBuild('4mb');
    expect(() => flash({ port: '/dev/ttyUSB0' })).toThrow(/esptool not found on PATH: run `. \$IDF_PATH\/export.sh` .* or `pip install esptool`/);
  });

  it('prints the commands on --dry-run and runs nothing', () => {
    bin.add('esptool', 'esptool v5.0.0');
    makeBuild('4mb');
    flash({ port: '/dev/ttyUSB0', erase: true, dryRun: true });
    expect(bin.calls('esptool')).toEqual([]);
    expect(existsSync(file('ota_data_initial.bin'))).toBe(false);
    const exe = join(bin.dir, 'esptool');
    expect(printed).toEqual([
      `# would write ${file('ota_data_initial.bin')} (0x2000 bytes of 0xFF)`,
      `${exe} --chip esp32 --port /dev/ttyUSB0 --baud 921600 --before default-reset --after hard-reset erase-flash`,
      `${exe} --chip esp32 --port /dev/ttyUSB0 --baud 921600 --before default-reset --after hard-reset write-flash 0x1000 ${file('bootloader.bin')} 0x8000 ${file('partition-table.bin')} 0xd000 ${file('ota_data_initial.bin')} 0x10000 ${file('xs_esp32.bin')}`,
    ]);
  });

  it('erases first with --erase', () => {
    bin.add('esptool', 'esptool v5.0.0');
    makeBuild('4mb');
    flash({ port: '/dev/ttyUSB0', erase: true });
    expect(bin.calls('esptool').map((c) => c.find((a) => a.includes('-flash')))).toEqual(['erase-flash', 'write-flash']);
  });

  it('says which build to make when there is none', () => {
    bin.add('esptool', 'esptool v5.0.0');
    expect(() => flash({ board: 'esp32/esp32s3', release: true, port: '/dev/ttyUSB0' })).toThrow(/no build in .*: run npm run build:esp32 -- --board esp32\/esp32s3 --release/);
  });

  it('refuses a build whose partition table is not ours', () => {
    bin.add('esptool', 'esptool v5.0.0');
    makeBuild('4mb');
    // Moddable's default single-factory table, as a build that ignored PARTITIONS_FILE would have.
    writeFileSync(file('partition-table.bin'), encodePartitionTable(parsePartitionCsv(
      'nvs, data, nvs, 0x9000, 0x6000,\nphy_init, data, phy, 0xf000, 0x1000,\nfactory, app, factory, 0x10000, 0x3f0000,',
    )));
    expect(() => flash({ port: '/dev/ttyUSB0' })).toThrow(/partition table is not .*partitions-4mb.csv[\s\S]*otadata is missing/);
    expect(bin.calls('esptool')).toEqual([]);
  });

  it('refuses an app larger than the slot', () => {
    bin.add('esptool', 'esptool v5.0.0');
    makeBuild('4mb', 0x1e0001);
    expect(() => flash({ port: '/dev/ttyUSB0' })).toThrow(/larger than ota_0/);
  });

  it('requires a port unless it only merges', () => {
    makeBuild('4mb');
    expect(() => flash({})).toThrow(/--port is required/);
  });

  it('--merge writes one image with every part at its offset and 0xFF between', () => {
    makeBuild('4mb');
    const out = join(build, 'merged.bin');
    flash({ merge: out, padTo: '4M' });
    const image = readFileSync(out);
    expect(image.length).toBe(0x400000);
    expect(image.subarray(0, 0x1000).every((b) => b === 0xff)).toBe(true);
    expect(image[0x1000]).toBe(0xe9);
    expect([image[0x8000], image[0x8001]]).toEqual([0xaa, 0x50]);
    expect(image.subarray(0xd000, 0xf000).every((b) => b === 0xff)).toBe(true);
    expect(image[0x10000]).toBe(0x42);
    expect(image[0x13000]).toBe(0xff);
    expect(bin.calls('esptool')).toEqual([]);
  });

  it('--merge with a port flashes the merged image at 0x0', () => {
    bin.add('esptool', 'esptool v5.0.0');
    makeBuild('8mb');
    const out = join(build, 'merged.bin');
    flash({ board: 'esp32/esp32s3', merge: out, port: '/dev/ttyACM0' });
    expect(existsSync(out)).toBe(true);
    expect(bin.calls('esptool')[0]!.slice(-3)).toEqual(['write-flash', '0x0', out]);
  });

  it('refuses bad numbers', () => {
    makeBuild('4mb');
    expect(() => flash({ port: '/dev/ttyUSB0', baud: 'fast' })).toThrow(/--baud/);
    expect(() => flash({ merge: join(build, 'm.bin'), padTo: 'huge' })).toThrow(/--pad-to/);
    expect(() => flash({ merge: join(build, 'm.bin'), padTo: '0x1000' })).toThrow(/more than --pad-to/);
  });
});
