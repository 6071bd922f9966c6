/**
 * npm run build:esp32 -- --board esp32/<board> [--release | --debug] [--config key=value ...] [--dry-run]
 *
 * Runs mcconfig on manifests/sensor-node.json from the repository root. The default build is
 * instrumented (-i: trace goes to the serial console); --debug connects to xsbug (-d);
 * --release is the deployable build (no console). See docs/esp32.md.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { resolveBoard } from './boards.js';
import { formatCommand, run } from './command.js';
import { binDir, defaultOutDir, mcconfigCommand, modeOf } from './mcconfig.js';
import { ToolError } from './which.js';

export interface BuildCliOptions {
  board: string;
  chip?: string;
  release?: boolean;
  debug?: boolean;
  config: string[];
  out?: string;
  dryRun?: boolean;
  verbose?: boolean;
}

/** The whole command; returns the lines it printed (tests read them). */
export function buildEsp32(o: BuildCliOptions, root: string, env: NodeJS.ProcessEnv, print: (line: string) => void): void {
  const board = resolveBoard(o.board, o.chip);
  const mode = modeOf(o);
  const outDir = o.out !== undefined ? resolve(o.out) : defaultOutDir(root);
  const { command, problems } = mcconfigCommand({ root, board, mode, outDir, config: o.config, verbose: o.verbose }, env);
  if (o.dryRun === true) {
    for (const p of problems) print(`# warning: ${p}`);
    print(`# in ${root}, with node_modules/.bin first on PATH`);
    print(formatCommand(command));
    print(`# binaries: ${binDir(outDir, board, mode)}`);
    return;
  }
  if (problems.length > 0) throw new ToolError(problems.join('\n'));
  run(command);
  print(`built ${board.platform} (${mode}): ${binDir(outDir, board, mode)}`);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function buildProgram(root: string, env: NodeJS.ProcessEnv, print: (line: string) => void): Command {
  return new Command('build:esp32')
    .description('Build the sensor-node firmware with Moddable mcconfig')
    .requiredOption('--board <platform>', 'esp32, esp32/esp32s3, esp32/esp32c3 or another esp32/<board> with --chip')
    .option('--chip <chip>', 'chip of a board not in the table (esp32, esp32s2, esp32s3, esp32c3, esp32c6, esp32h2)')
    .option('--release', 'release build: no console, no debugger')
    .option('--debug', 'debug build: xsbug over serial (mcconfig -d)')
    .option('--config <key=value>', 'mc/config value, repeatable (e.g. wifi_ssid=home)', collect, [])
    .option('--out <dir>', 'output root for mcconfig -o (default build/moddable)')
    .option('--dry-run', 'print the mcconfig command instead of running it')
    .option('--verbose', 'mcconfig -v')
    .action((opts: BuildCliOptions) => buildEsp32(opts, root, env, print));
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.filename === resolve(process.argv[1]);
if (invokedDirectly) {
  const root = resolve(import.meta.dirname, '../..');
  try {
    buildProgram(root, process.env, (line) => process.stdout.write(`${line}\n`)).parse();
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    process.stderr.write(`build:esp32: ${error.message}\n`);
    process.exitCode = 1;
  }
}
