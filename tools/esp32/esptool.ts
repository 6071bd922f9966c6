/**
 * Espressif's esptool, either generation: v5 installs `esptool` and spells commands and
 * options with dashes (write-flash, default-reset); v4 installs `esptool.py` and uses
 * underscores (write_flash, default_reset). ESP-IDF v6.0's environment provides v5.
 */
import { probe } from './command.js';
import { findOnPath } from './which.js';

export interface Esptool {
  path: string;
  /** Major version: decides the spelling of commands. */
  major: number;
}

/** `esptool` first, then `esptool.py`; the version is asked, and guessed from the name if the probe fails. */
export function findEsptool(env: NodeJS.ProcessEnv): Esptool | undefined {
  for (const name of ['esptool', 'esptool.py']) {
    const path = findOnPath(name, env);
    if (path === undefined) continue;
    const out = probe(path, ['version'], env);
    const m = out === undefined ? null : /v?(\d+)\.\d+/.exec(out);
    return { path, major: m !== null ? Number(m[1]) : name === 'esptool' ? 5 : 4 };
  }
  return undefined;
}

export const ESPTOOL_MISSING =
  'esptool not found on PATH: run `. $IDF_PATH/export.sh` (ESP-IDF v6.0 brings esptool v5) or `pip install esptool`';

function spell(major: number, dashed: string): string {
  return major >= 5 ? dashed : dashed.replace(/-/g, '_');
}

export interface FlashWrite {
  chip: string;
  port: string;
  baud: number;
  /** Offset and file, in any order. */
  parts: ReadonlyArray<{ offset: number; file: string }>;
}

function connectArgs(major: number, o: { chip: string; port: string; baud: number }): string[] {
  return ['--chip', o.chip, '--port', o.port, '--baud', String(o.baud), '--before', spell(major, 'default-reset'), '--after', spell(major, 'hard-reset')];
}

export function writeFlashArgs(major: number, o: FlashWrite): string[] {
  const parts = [...o.parts].sort((a, b) => a.offset - b.offset).flatMap((p) => [`0x${p.offset.toString(16)}`, p.file]);
  return [...connectArgs(major, o), spell(major, 'write-flash'), ...parts];
}

export function eraseFlashArgs(major: number, o: { chip: string; port: string; baud: number }): string[] {
  return [...connectArgs(major, o), spell(major, 'erase-flash')];
}
