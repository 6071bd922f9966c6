/**
 * Runs every bench/*.bench.ts, prints a table of figures, and with --json prints one JSON
 * object with all figures as the last line. Each bench module exports
 * `run(): Promise<Record<string, number | string>>`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule { run(args: readonly string[]): Promise<Record<string, number | string>> }

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.filter((a) => !a.startsWith('--'));

const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));
const figures: Record<string, number | string> = {};
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  const started = performance.now();
  const result = await mod.run(args);
  Object.assign(figures, result);
  process.stderr.write(`bench ${file}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
const width = Math.max(10, ...Object.keys(figures).map((k) => k.length));
for (const [key, value] of Object.entries(figures)) {
  const shown = typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 3 }) : value;
  process.stdout.write(`${key.padEnd(width)}  ${shown}\n`);
}
if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
