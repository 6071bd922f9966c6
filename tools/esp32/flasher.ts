/**
 * Flash a sensor-node build: bootloader, partition table, a blank otadata (so the bootloader
 * starts ota_0, whatever a previous OTA selected) and the app in ota_0, at the offsets of our
 * partition table; or merge them into one image that flashes at 0x0.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BOOTLOADER_OFFSET, type Board, partitionCsv } from './boards.js';
import { type Command, formatCommand, run } from './command.js';
import { eraseFlashArgs, ESPTOOL_MISSING, findEsptool, writeFlashArgs } from './esptool.js';
import { type BuildMode, binDir } from './mcconfig.js';
import { mergeImages } from './merge.js';
import { compareTables, decodePartitionTable } from './partition-binary.js';
import {
  checkPartitionTable, flashBytes, flashLayout, hex, IMAGE_BUDGET, OTADATA_SIZE, PARTITION_TABLE_OFFSET, readPartitionCsv,
} from './partitions.js';
import { ToolError } from './which.js';

export const BUILD_FILES = Object.freeze({
  bootloader: 'bootloader.bin',
  table: 'partition-table.bin',
  otadata: 'ota_data_initial.bin',
  app: 'xs_esp32.bin',
});

export interface FlashOptions {
  root: string;
  board: Board;
  mode: BuildMode;
  outDir: string;
  /** Overrides <outDir>/bin/<platform>/<mode>/sensor-node. */
  binDir?: string;
  port?: string;
  baud: number;
  /** Write one merged image to this file (and flash it at 0x0 when a port is given). */
  merge?: string;
  padTo?: number;
  erase?: boolean;
  dryRun?: boolean;
}

export interface FlashPlan {
  parts: Array<{ name: string; offset: number; file: string }>;
  commands: Command[];
  notes: string[];
}

function partitionProblems(o: FlashOptions): { layout: ReturnType<typeof flashLayout>; csv: string; partitions: ReturnType<typeof readPartitionCsv> } {
  const csv = partitionCsv(o.root, o.board.flashSize);
  const partitions = readPartitionCsv(csv);
  const problems = checkPartitionTable(partitions, flashBytes(o.board.flashSize));
  if (problems.length > 0) throw new ToolError(`${csv}:\n  ${problems.join('\n  ')}`);
  return { layout: flashLayout(partitions), csv, partitions };
}

/** Works out what to write where; checks the build against our table. Writes nothing to the device. */
export function planFlash(o: FlashOptions, env: NodeJS.ProcessEnv): FlashPlan {
  const notes: string[] = [];
  const { layout, csv, partitions } = partitionProblems(o);
  const dir = o.binDir !== undefined ? resolve(o.binDir) : binDir(o.outDir, o.board, o.mode);
  const file = (name: string): string => join(dir, name);
  const parts = [
    { name: 'bootloader', offset: BOOTLOADER_OFFSET[o.board.chip], file: file(BUILD_FILES.bootloader) },
    { name: 'partition table', offset: PARTITION_TABLE_OFFSET, file: file(BUILD_FILES.table) },
    { name: 'otadata', offset: layout.otadata, file: file(BUILD_FILES.otadata) },
    { name: 'app (ota_0)', offset: layout.app, file: file(BUILD_FILES.app) },
  ];

  const missing = parts.filter((p) => p.name !== 'otadata' && !existsSync(p.file));
  if (missing.length > 0) {
    const message = `no build in ${dir} (missing ${missing.map((p) => p.file.slice(dir.length + 1)).join(', ')}): run npm run build:esp32 -- --board ${o.board.platform}${o.mode === 'release' ? ' --release' : o.mode === 'debug' ? ' --debug' : ''}`;
    if (o.dryRun !== true) throw new ToolError(message);
    notes.push(message);
  } else {
    const built = decodePartitionTable(new Uint8Array(readFileSync(file(BUILD_FILES.table))));
    const diff = compareTables(built, partitions);
    if (diff.length > 0) throw new ToolError(`the build's partition table is not ${csv}:\n  ${diff.join('\n  ')}\nrebuild with npm run build:esp32`);
    const appSize = statSync(file(BUILD_FILES.app)).size;
    if (appSize > layout.appSize) throw new ToolError(`the app is 0x${hex(appSize)} bytes, larger than ota_0 (0x${hex(layout.appSize)})`);
    if (appSize > IMAGE_BUDGET) notes.push(`the app is 0x${hex(appSize)} bytes, over the image budget of 0x${hex(IMAGE_BUDGET)} (tools/esp32/partitions.ts)`);
  }
  // ESP-IDF writes ota_data_initial.bin only for tables with otadata; it is all 0xFF. Make it
  // ourselves when absent so a blank otadata is always written.
  const otadata = parts[2]!;
  if (!existsSync(otadata.file)) {
    if (o.dryRun === true) notes.push(`would write ${otadata.file} (0x${hex(OTADATA_SIZE)} bytes of 0xFF)`);
    else {
      mkdirSync(dirname(otadata.file), { recursive: true });
      writeFileSync(otadata.file, new Uint8Array(OTADATA_SIZE).fill(0xff));
    }
  }

  const commands: Command[] = [];
  const needsEsptool = o.port !== undefined;
  const esptool = needsEsptool ? findEsptool(env) : undefined;
  if (needsEsptool && esptool === undefined) {
    if (o.dryRun !== true) throw new ToolError(ESPTOOL_MISSING);
    notes.push(ESPTOOL_MISSING);
  }
  const major = esptool?.major ?? 5;
  const exe = esptool?.path ?? 'esptool';
  const connect = { chip: o.board.chip, port: o.port ?? '', baud: o.baud };
  if (o.erase === true) {
    if (o.port === undefined) throw new ToolError('--erase needs --port');
    commands.push({ command: exe, args: eraseFlashArgs(major, connect), cwd: o.root, env });
  }
  if (o.merge !== undefined) {
    if (o.port !== undefined) commands.push({ command: exe, args: writeFlashArgs(major, { ...connect, parts: [{ offset: 0, file: resolve(o.merge) }] }), cwd: o.root, env });
  } else {
    if (o.port === undefined) throw new ToolError('--port is required (or --merge <file> to write one image)');
    commands.push({ command: exe, args: writeFlashArgs(major, { ...connect, parts }), cwd: o.root, env });
  }
  return { parts, commands, notes };
}

export function writeMergedImage(plan: FlashPlan, target: string, padTo?: number): number {
  const image = mergeImages(
    plan.parts.map((p) => ({ name: p.name, offset: p.offset, data: new Uint8Array(readFileSync(p.file)) })),
    { base: 0, padTo },
  );
  mkdirSync(dirname(resolve(target)), { recursive: true });
  writeFileSync(target, image);
  return image.length;
}

export function flashEsp32(o: FlashOptions, env: NodeJS.ProcessEnv, print: (line: string) => void): void {
  const plan = planFlash(o, env);
  for (const n of plan.notes) print(`# ${n}`);
  if (o.dryRun === true) {
    if (o.merge !== undefined) print(`# would merge ${plan.parts.map((p) => `${p.name}@0x${hex(p.offset)}`).join(', ')} into ${resolve(o.merge)}${o.padTo !== undefined ? ` padded to 0x${hex(o.padTo)}` : ''}`);
    for (const c of plan.commands) print(formatCommand(c));
    return;
  }
  if (o.merge !== undefined) {
    const bytes = writeMergedImage(plan, o.merge, o.padTo);
    print(`wrote ${resolve(o.merge)} (0x${hex(bytes)} bytes, flash it at 0x0)`);
  }
  for (const c of plan.commands) {
    print(formatCommand(c));
    run(c);
  }
}
