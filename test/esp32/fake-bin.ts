/**
 * Fake command-line tools for the build and flash tests: shell scripts in a temp folder that
 * record their arguments (one per line, calls separated by "--- call") and answer `version`.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeBin {
  dir: string;
  /** Adds an executable that records its calls; `version` prints `versionText`. */
  add(name: string, versionText?: string, exitCode?: number): void;
  /** Calls recorded for a tool, each a list of arguments. */
  calls(name: string): string[][];
  /** Working directory and PATH of the last call. */
  lastEnv(name: string): { cwd: string; path: string };
  cleanup(): void;
}

export function fakeBin(): FakeBin {
  const dir = mkdtempSync(join(tmpdir(), 'sn-esp32-bin-'));
  const records = join(dir, '.records');
  mkdirSync(records);
  return {
    dir,
    add(name, versionText = `${name} v1.0.0`, exitCode = 0) {
      const record = join(records, `${name}.args`);
      const script = [
        '#!/bin/sh',
        `if [ "$1" = "version" ]; then echo '${versionText}'; exit 0; fi`,
        `echo '--- call' >> '${record}'`,
        `printf '%s\\n' "$PWD" > '${record}.cwd'`,
        `printf '%s\\n' "$PATH" > '${record}.path'`,
        `for a in "$@"; do printf '%s\\n' "$a" >> '${record}'; done`,
        `exit ${exitCode}`,
        '',
      ].join('\n');
      const path = join(dir, name);
      writeFileSync(path, script);
      chmodSync(path, 0o755);
    },
    calls(name) {
      const record = join(records, `${name}.args`);
      if (!existsSync(record)) return [];
      return readFileSync(record, 'utf8').split('--- call\n').slice(1).map((c) => c.split('\n').slice(0, -1));
    },
    lastEnv(name) {
      const record = join(records, `${name}.args`);
      return { cwd: readFileSync(`${record}.cwd`, 'utf8').trim(), path: readFileSync(`${record}.path`, 'utf8').trim() };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
