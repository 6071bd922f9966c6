/**
 * Our own checks for an ESP32 build machine, beside `xs-dev doctor`: each names what is
 * missing and how to get it. Used by `npm run doctor` (tools/esp32/doctor.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withProjectBin } from './command.js';
import { ESPTOOL_MISSING, findEsptool } from './esptool.js';
import { findOnPath } from './which.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Moddable 8.x pins ESP-IDF v6.0 (build/devices/esp32/manifest.json EXPECTED_ESP_IDF). */
export const EXPECTED_IDF = { major: 6, minor: 0 } as const;

export function idfVersion(idfPath: string): { major: number; minor: number; patch: number } | undefined {
  const header = join(idfPath, 'components', 'esp_common', 'include', 'esp_idf_version.h');
  if (!existsSync(header)) return undefined;
  const text = readFileSync(header, 'utf8');
  const get = (part: string): number | undefined => {
    const m = new RegExp(`#define\\s+ESP_IDF_VERSION_${part}\\s+(\\d+)`).exec(text);
    return m === null ? undefined : Number(m[1]);
  };
  const major = get('MAJOR');
  const minor = get('MINOR');
  const patch = get('PATCH');
  return major === undefined || minor === undefined ? undefined : { major, minor, patch: patch ?? 0 };
}

export function moddableVersion(moddable: string): string | undefined {
  const file = join(moddable, 'tools', 'VERSION');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

export function runChecks(root: string, env: NodeJS.ProcessEnv): Check[] {
  const checks: Check[] = [];
  const moddable = env.MODDABLE;
  if (moddable === undefined || moddable === '') {
    checks.push({ name: 'MODDABLE', ok: false, detail: 'not set: install the Moddable SDK with `npx xs-dev setup` (docs/esp32.md), then export MODDABLE' });
  } else if (!existsSync(moddable)) {
    checks.push({ name: 'MODDABLE', ok: false, detail: `${moddable} does not exist` });
  } else {
    const version = moddableVersion(moddable);
    checks.push({ name: 'MODDABLE', ok: true, detail: `${moddable}${version !== undefined ? ` (Moddable SDK ${version})` : ''}` });
  }

  const idf = env.IDF_PATH;
  if (idf === undefined || idf === '') {
    checks.push({ name: 'IDF_PATH', ok: false, detail: 'not set: install ESP-IDF v6.0 (docs/esp32.md: clone v6.0, then `npm run setup:esp32`) and run `. $IDF_PATH/export.sh`' });
  } else {
    const v = idfVersion(idf);
    if (v === undefined) checks.push({ name: 'IDF_PATH', ok: false, detail: `${idf} is not an ESP-IDF tree (no components/esp_common/include/esp_idf_version.h)` });
    else {
      const ok = v.major === EXPECTED_IDF.major && v.minor === EXPECTED_IDF.minor;
      checks.push({
        name: 'IDF_PATH',
        ok,
        detail: `${idf} (ESP-IDF v${v.major}.${v.minor}.${v.patch})${ok ? '' : `: Moddable needs v${EXPECTED_IDF.major}.${EXPECTED_IDF.minor}, its build stops on another major or minor version`}`,
      });
    }
  }

  const mcconfig = findOnPath('mcconfig', env);
  checks.push(mcconfig !== undefined
    ? { name: 'mcconfig', ok: true, detail: mcconfig }
    : { name: 'mcconfig', ok: false, detail: 'not on PATH: add $MODDABLE/build/bin/<lin|mac>/release to PATH (xs-dev setup builds it)' });

  const esptool = findEsptool(env);
  checks.push(esptool !== undefined
    ? { name: 'esptool', ok: true, detail: `${esptool.path} (v${esptool.major}: ${esptool.major >= 5 ? 'write-flash' : 'write_flash'})` }
    : { name: 'esptool', ok: false, detail: ESPTOOL_MISSING });

  const tsc = findOnPath('tsc', withProjectBin(root, {}));
  checks.push(tsc !== undefined
    ? { name: 'tsc', ok: true, detail: `${tsc} (mcconfig compiles the TypeScript with it)` }
    : { name: 'tsc', ok: false, detail: 'node_modules/.bin/tsc missing: run `npm ci`' });
  return checks;
}

export function formatCheck(c: Check): string {
  return `${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(9)} ${c.detail}`;
}
