import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEsp32, type BuildCliOptions } from '../../tools/esp32/build.js';
import { ToolError } from '../../tools/esp32/which.js';
import { type FakeBin, fakeBin } from './fake-bin.js';

const root = resolve(import.meta.dirname, '../..');

describe('npm run build:esp32', () => {
  let bin: FakeBin;
  let sdk: string;
  let env: NodeJS.ProcessEnv;
  let printed: string[];

  beforeEach(() => {
    bin = fakeBin();
    sdk = mkdtempSync(join(tmpdir(), 'sn-moddable-'));
    env = { PATH: bin.dir, MODDABLE: sdk, IDF_PATH: sdk };
    printed = [];
  });
  afterEach(() => {
    bin.cleanup();
    rmSync(sdk, { recursive: true, force: true });
  });

  const build = (o: Partial<BuildCliOptions> & { board: string }, e: NodeJS.ProcessEnv = env) =>
    buildEsp32({ config: [], ...o }, root, e, (line) => printed.push(line));

  it('runs mcconfig from the repository root on the manifest, instrumented by default', () => {
    bin.add('mcconfig');
    build({ board: 'esp32/esp32s3' });
    expect(bin.calls('mcconfig')).toEqual([
      ['manifests/sensor-node.json', '-i', '-m', '-p', 'esp32/esp32s3', '-t', 'build', '-o', join(root, 'build', 'moddable')],
    ]);
    const { cwd, path } = bin.lastEnv('mcconfig');
    expect(cwd).toBe(root);
    // mcconfig runs `tsc` from PATH: the project's own comes first.
    expect(path.split(':')[0]).toBe(join(root, 'node_modules', '.bin'));
    expect(printed.at(-1)).toBe(`built esp32/esp32s3 (instrument): ${join(root, 'build', 'moddable', 'bin', 'esp32', 'esp32s3', 'instrument', 'sensor-node')}`);
  });

  it('builds release without -d or -i, debug with -d, and passes config pairs', () => {
    bin.add('mcconfig');
    build({ board: 'esp32', release: true });
    build({ board: 'esp32/esp32c3', debug: true, config: ['wifi_ssid=home', 'wifi_password=two words'] });
    const [release, debug] = bin.calls('mcconfig');
    expect(release).toEqual(['manifests/sensor-node.json', '-m', '-p', 'esp32', '-t', 'build', '-o', join(root, 'build', 'moddable')]);
    expect(debug).toEqual([
      'manifests/sensor-node.json', '-d', '-m', '-p', 'esp32/esp32c3', '-t', 'build', '-o', join(root, 'build', 'moddable'),
      'wifi_ssid=home', 'wifi_password=two words',
    ]);
  });

  it('prints the exact command on --dry-run and runs nothing', () => {
    bin.add('mcconfig');
    build({ board: 'esp32/esp32s3', release: true, dryRun: true, config: ['wifi_password=a b'] });
    expect(bin.calls('mcconfig')).toEqual([]);
    expect(printed).toContain(`${join(bin.dir, 'mcconfig')} manifests/sensor-node.json -m -p esp32/esp32s3 -t build -o ${join(root, 'build', 'moddable')} 'wifi_password=a b'`);
  });

  it('names the SDK set-up when MODDABLE is missing', () => {
    bin.add('mcconfig');
    expect(() => build({ board: 'esp32' }, { PATH: bin.dir, IDF_PATH: sdk })).toThrow(/MODDABLE is not set: install the Moddable SDK with `npx xs-dev setup`/);
    expect(bin.calls('mcconfig')).toEqual([]);
  });

  it('names mcconfig and where it lives when it is not on PATH', () => {
    const run = () => build({ board: 'esp32' });
    expect(run).toThrow(ToolError);
    expect(run).toThrow(/mcconfig not found on PATH: .*\$MODDABLE\/build\/bin\/<lin\|mac>\/release/);
  });

  it('names ESP-IDF when IDF_PATH is missing', () => {
    bin.add('mcconfig');
    expect(() => build({ board: 'esp32' }, { PATH: bin.dir, MODDABLE: sdk })).toThrow(/IDF_PATH is not set: install ESP-IDF v6.0/);
  });

  it('still prints the command in a dry run without the tools, with the problems as warnings', () => {
    build({ board: 'esp32', dryRun: true }, { PATH: '' });
    expect(printed.filter((l) => l.startsWith('# warning:')).join('\n')).toMatch(/MODDABLE[\s\S]*IDF_PATH[\s\S]*mcconfig not found/);
    expect(printed).toContain(`mcconfig manifests/sensor-node.json -i -m -p esp32 -t build -o ${join(root, 'build', 'moddable')}`);
  });

  it('fails when mcconfig fails', () => {
    bin.add('mcconfig', 'mcconfig', 2);
    expect(() => build({ board: 'esp32' })).toThrow(/failed \(exit 2\)/);
  });

  it('refuses ssid= (Moddable would block the boot on Wi-Fi)', () => {
    bin.add('mcconfig');
    expect(() => build({ board: 'esp32', config: ['ssid=home'] })).toThrow(/wifi_ssid/);
  });

  it('refuses malformed config pairs, unknown boards, and both --release and --debug', () => {
    bin.add('mcconfig');
    expect(() => build({ board: 'esp32', config: ['novalue'] })).toThrow(/key=value/);
    expect(() => build({ board: 'esp32/m5atom' })).toThrow(/give its chip with --chip/);
    expect(() => build({ board: 'esp8266' })).toThrow(/--board must be/);
    expect(() => build({ board: 'esp32', release: true, debug: true })).toThrow(/choose one/);
    expect(bin.calls('mcconfig')).toEqual([]);
  });

  it('builds another board folder when its chip is given', () => {
    bin.add('mcconfig');
    build({ board: 'esp32/m5atom_s3', chip: 'esp32s3' });
    expect(bin.calls('mcconfig')[0]).toContain('esp32/m5atom_s3');
  });
});
