/** Running external tools: the exact command line (for --dry-run) and a synchronous run. */
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { ToolError } from './which.js';

export interface Command {
  /** Resolved executable (or the bare name when it was not found, in a dry run). */
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const SAFE = /^[\w@%+=:,./-]+$/;

export function shellQuote(arg: string): string {
  return SAFE.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function formatCommand(c: Pick<Command, 'command' | 'args'>): string {
  return [c.command, ...c.args].map(shellQuote).join(' ');
}

export function run(c: Command): void {
  const result = spawnSync(c.command, c.args, { cwd: c.cwd, env: c.env, stdio: 'inherit' });
  if (result.error !== undefined) throw new ToolError(`${c.command}: ${result.error.message}`);
  if (result.status !== 0) throw new ToolError(`${formatCommand(c)} failed (exit ${result.status ?? result.signal})`);
}

/** Output of a quick probe such as `esptool version`; undefined when it does not run. */
export function probe(command: string, args: string[], env: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: 15_000 });
  if (result.error !== undefined || result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`;
}

/** PATH with the project's node_modules/.bin first: mcconfig runs the project's own tsc. */
export function withProjectBin(root: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const bin = join(root, 'node_modules', '.bin');
  return { ...env, PATH: env.PATH === undefined || env.PATH === '' ? bin : `${bin}${delimiter}${env.PATH}` };
}
