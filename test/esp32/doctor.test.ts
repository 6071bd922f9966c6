import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChecks } from '../../tools/esp32/doctor-checks.js';
import { type FakeBin, fakeBin } from './fake-bin.js';

const root = resolve(import.meta.dirname, '../..');

describe('npm run doctor (our checks)', () => {
  let bin: FakeBin;
  let home: string;

  function idf(version: [number, number, number]): string {
    const dir = join(home, `esp-idf-${version.join('.')}`);
    mkdirSync(join(dir, 'components', 'esp_common', 'include'), { recursive: true });
    writeFileSync(join(dir, 'components', 'esp_common', 'include', 'esp_idf_version.h'),
      `#define ESP_IDF_VERSION_MAJOR   ${version[0]}\n#define ESP_IDF_VERSION_MINOR   ${version[1]}\n#define ESP_IDF_VERSION_PATCH   ${version[2]}\n`);
    return dir;
  }

  function moddable(version: string): string {
    const dir = join(home, 'moddable');
    mkdirSync(join(dir, 'tools'), { recursive: true });
    writeFileSync(join(dir, 'tools', 'VERSION'), `${version}\n`);
    return dir;
  }

  beforeEach(() => {
    bin = fakeBin();
    home = mkdtempSync(join(tmpdir(), 'sn-doctor-'));
  });
  afterEach(() => {
    bin.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  const byName = (env: NodeJS.ProcessEnv) => Object.fromEntries(runChecks(root, env).map((c) => [c.name, c]));

  it('passes a machine set up for Moddable 8 and ESP-IDF v6.0', () => {
    bin.add('mcconfig');
    bin.add('esptool', 'esptool v5.1.0');
    const checks = byName({ PATH: bin.dir, MODDABLE: moddable('8.2.3'), IDF_PATH: idf([6, 0, 1]) });
    expect(Object.values(checks).filter((c) => !c.ok)).toEqual([]);
    expect(checks.MODDABLE!.detail).toMatch(/Moddable SDK 8.2.3/);
    expect(checks.IDF_PATH!.detail).toMatch(/ESP-IDF v6.0.1/);
    expect(checks.esptool!.detail).toMatch(/v5: write-flash/);
  });

  it('fails ESP-IDF of another minor version, saying which one Moddable needs', () => {
    const checks = byName({ PATH: bin.dir, MODDABLE: moddable('8.2.3'), IDF_PATH: idf([5, 4, 0]) });
    expect(checks.IDF_PATH!.ok).toBe(false);
    expect(checks.IDF_PATH!.detail).toMatch(/v5.4.0.*needs v6.0/);
  });

  it('names what to install for each missing piece', () => {
    const checks = byName({ PATH: bin.dir });
    expect(checks.MODDABLE).toMatchObject({ ok: false, detail: expect.stringMatching(/npx xs-dev setup/) });
    expect(checks.IDF_PATH).toMatchObject({ ok: false, detail: expect.stringMatching(/ESP-IDF v6.0/) });
    expect(checks.mcconfig).toMatchObject({ ok: false, detail: expect.stringMatching(/build\/bin/) });
    expect(checks.esptool).toMatchObject({ ok: false, detail: expect.stringMatching(/export.sh/) });
  });

  it('finds v4 esptool.py and an IDF_PATH that is not ESP-IDF', () => {
    bin.add('esptool.py', 'esptool.py v4.8.1');
    const checks = byName({ PATH: bin.dir, IDF_PATH: home });
    expect(checks.esptool!.detail).toMatch(/v4: write_flash/);
    expect(checks.IDF_PATH!.detail).toMatch(/not an ESP-IDF tree/);
  });
});
