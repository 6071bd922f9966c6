/**
 * `npm run build:esp32`: run Moddable's mcconfig on the sensor-node manifest for one board.
 * mcconfig reads the manifest, runs tsc (ours, from node_modules/.bin), xsc and xsl, then
 * ESP-IDF's idf.py build; we stop at the build (-t build) and flash with tools/esp32/flash.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { APP_MANIFEST, APP_NAME, type Board } from './boards.js';
import { type Command, withProjectBin } from './command.js';
import { findOnPath, ToolError } from './which.js';

/** debug: -d (xsbug over serial); instrument: -i (trace on the serial console); release: neither. */
export type BuildMode = 'debug' | 'instrument' | 'release';

export function modeOf(o: { release?: boolean; debug?: boolean }): BuildMode {
  if (o.release === true && o.debug === true) throw new ToolError('choose one of --release and --debug');
  return o.release === true ? 'release' : o.debug === true ? 'debug' : 'instrument';
}

export interface BuildOptions {
  root: string;
  board: Board;
  mode: BuildMode;
  /** mcconfig output root (-o); binaries land in <outDir>/bin/<platform>/<mode>/sensor-node. */
  outDir: string;
  /** key=value pairs for mc/config (they reach the app as strings). */
  config?: readonly string[];
  verbose?: boolean;
}

export function defaultOutDir(root: string): string {
  return join(root, 'build', 'moddable');
}

export function binDir(outDir: string, board: Board, mode: BuildMode): string {
  return join(outDir, 'bin', ...board.platform.split('/'), mode, APP_NAME);
}

export function mcconfigArgs(o: BuildOptions): string[] {
  const args = [APP_MANIFEST];
  if (o.mode === 'debug') args.push('-d');
  if (o.mode === 'instrument') args.push('-i');
  args.push('-m', '-p', o.board.platform, '-t', 'build', '-o', o.outDir);
  if (o.verbose === true) args.push('-v');
  for (const kv of o.config ?? []) {
    if (!/^[A-Za-z_][\w.]*=/.test(kv)) throw new ToolError(`--config expects key=value, not "${kv}"`);
    // setup/network (pulled in by Moddable's IO manifest) blocks main until Wi-Fi is up when
    // config.ssid is set; the node brings Wi-Fi up itself with a deadline (docs/esp32.md).
    if (kv.startsWith('ssid=')) throw new ToolError('do not pass ssid=: it makes Moddable block at boot until Wi-Fi connects; use wifi_ssid= and wifi_password=');
    args.push(kv);
  }
  return args;
}

/** Problems with the environment, each naming what to install or set. */
export function buildEnvironmentProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const moddable = env.MODDABLE;
  if (moddable === undefined || moddable === '') {
    problems.push('MODDABLE is not set: install the Moddable SDK with `npx xs-dev setup` (docs/esp32.md) and export MODDABLE=<sdk folder>');
  } else if (!existsSync(moddable)) {
    problems.push(`MODDABLE is ${moddable}, which does not exist: point it at the Moddable SDK folder`);
  }
  const idf = env.IDF_PATH;
  if (idf === undefined || idf === '') {
    problems.push('IDF_PATH is not set: install ESP-IDF v6.0 (docs/esp32.md: clone v6.0, then `npm run setup:esp32`) and run `. $IDF_PATH/export.sh` in this shell');
  }
  return problems;
}

export function mcconfigCommand(o: BuildOptions, env: NodeJS.ProcessEnv): { command: Command; problems: string[] } {
  const args = mcconfigArgs(o);
  const runEnv = withProjectBin(o.root, env);
  const problems = buildEnvironmentProblems(env);
  const found = findOnPath('mcconfig', runEnv);
  if (found === undefined) {
    problems.push('mcconfig not found on PATH: build the Moddable tools (`npx xs-dev setup`) and add $MODDABLE/build/bin/<lin|mac>/release to PATH');
  }
  if (findOnPath('tsc', runEnv) === undefined) problems.push('tsc not found: run `npm ci` in the repository (mcconfig compiles the TypeScript with it)');
  return { command: { command: found ?? 'mcconfig', args, cwd: o.root, env: runEnv }, problems };
}
