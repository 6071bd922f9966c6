/**
 * npm run flash -- --port <dev> [--board esp32/<board>] [--release | --debug] [--merge <file>] [--dry-run]
 *
 * Writes the last build of that board and mode with esptool at our partition table's offsets.
 * See tools/esp32/flasher.ts and docs/esp32.md.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { resolveBoard } from './boards.js';
import { flashEsp32 } from './flasher.js';
import { defaultOutDir, modeOf } from './mcconfig.js';
import { parseSize } from './partitions.js';
import { ToolError } from './which.js';

export interface FlashCliOptions {
  board: string;
  chip?: string;
  port?: string;
  baud: string;
  release?: boolean;
  debug?: boolean;
  out?: string;
  binDir?: string;
  merge?: string | true;
  padTo?: string;
  erase?: boolean;
  dryRun?: boolean;
}

export function flashCli(o: FlashCliOptions, root: string, env: NodeJS.ProcessEnv, print: (line: string) => void): void {
  const board = resolveBoard(o.board, o.chip);
  const mode = modeOf(o);
  const baud = Number(o.baud);
  if (!Number.isInteger(baud) || baud <= 0) throw new ToolError(`--baud must be a positive integer, not "${o.baud}"`);
  let padTo: number | undefined;
  if (o.padTo !== undefined) {
    try {
      padTo = parseSize(o.padTo);
    } catch {
      throw new ToolError(`--pad-to must be a size such as 0x400000 or 4M, not "${o.padTo}"`);
    }
  }
  const merge = o.merge === true ? resolve(root, 'build', `sensor-node-${board.platform.replace('/', '-')}-${mode}.bin`) : o.merge;
  flashEsp32({
    root,
    board,
    mode,
    outDir: o.out !== undefined ? resolve(o.out) : defaultOutDir(root),
    binDir: o.binDir,
    port: o.port,
    baud,
    merge,
    padTo,
    erase: o.erase,
    dryRun: o.dryRun,
  }, env, print);
}

export function flashProgram(root: string, env: NodeJS.ProcessEnv, print: (line: string) => void): Command {
  return new Command('flash')
    .description('Flash the sensor-node build with esptool (v5 esptool, or v4 esptool.py)')
    .option('--port <device>', 'serial port, e.g. /dev/ttyUSB0 or /dev/cu.usbserial-0001')
    .option('--board <platform>', 'board the build is for', 'esp32')
    .option('--chip <chip>', 'chip of a board not in the table')
    .option('--baud <rate>', 'esptool baud rate', '921600')
    .option('--release', 'flash the release build')
    .option('--debug', 'flash the debug build')
    .option('--out <dir>', 'mcconfig output root of the build (default build/moddable)')
    .option('--bin-dir <dir>', 'folder holding bootloader.bin, partition-table.bin and xs_esp32.bin')
    .option('--merge [file]', 'write one image to flash at 0x0 (flashed too when --port is given)')
    .option('--pad-to <size>', 'pad the merged image with 0xFF to this size (e.g. 4M)')
    .option('--erase', 'erase the whole flash first (NVS too: identity and credentials are lost)')
    .option('--dry-run', 'print the esptool commands instead of running them')
    .action((opts: FlashCliOptions) => flashCli(opts, root, env, print));
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.filename === resolve(process.argv[1]);
if (invokedDirectly) {
  const root = resolve(import.meta.dirname, '../..');
  try {
    flashProgram(root, process.env, (line) => process.stdout.write(`${line}\n`)).parse();
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    process.stderr.write(`flash: ${error.message}\n`);
    process.exitCode = 1;
  }
}
