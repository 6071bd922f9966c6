/**
 * manifests/sensor-node.json against the rules Moddable's tools and XS apply (moddable.md 1a):
 * - module specifiers mirror the folders, so a relative import means the same module to tsc,
 *   vitest and XS;
 * - XS (runtime and linker, fxFindModule) resolves a relative import against the importer's
 *   specifier and strips one leading "./" or "../" only: every import of every registered module
 *   must resolve that way to a registered module, the same file the file system gives;
 * - the core and the host are preloaded; platform sections, partition tables and sdkconfig
 *   fragments agree with the tools' board table.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { BOARDS } from '../../tools/esp32/boards.js';
import { firmwareFolders, syncManifest } from '../../tools/esp32/sync-manifest.js';

const root = resolve(import.meta.dirname, '../..');
const manifestDir = join(root, 'manifests');
interface Manifest {
  build: Record<string, string>;
  include: string[];
  modules: Record<string, string | string[]>;
  preload: string[];
  config: Record<string, unknown>;
  ffi: { sources: string[]; functions: Record<string, { arguments?: string[]; returns?: string }> };
  typescript: { compiler: string; tsconfig: { compilerOptions: Record<string, unknown> } };
  platforms: Record<string, { build?: Record<string, string>; creation?: Record<string, unknown>; config?: Record<string, unknown>; error?: string }>;
}
const manifest = JSON.parse(readFileSync(join(manifestDir, 'sensor-node.json'), 'utf8')) as Manifest;

/** Moddable modules the SDK manifests we include register (not files of this repository). */
const SDK_SPECIFIERS = [
  /^embedded:io\/(analog|digital|i2c|smbus|socket\/tcp|socket\/tcp\/tls)$/,
  /^embedded:network\/interface\/wifi$/,
  /^embedded:storage\/(flash|key-value)$/,
  /^embedded:update$/,
  /^embedded:sensor\/(Humidity-Temperature\/SHT3x|Barometer-Temperature\/BMP280|Barometer-Humidity-Temperature\/BME68x)$/,
  /^mc\/(config|ffi)$/,
  /^(time|timer)$/,
  // Digest: examples/io/tcp/tlssocket includes modules/crypt/tls_419.json, whose tls_common.json
  // maps modules/crypt/digest and preloads "crypt" (older SDKs: includes crypt/digest/manifest.json).
  /^crypt$/,
];

const SOURCE = /\.(ts|js)$/;
const isSource = (name: string) => SOURCE.test(name) && !name.endsWith('.d.ts');

/** specifier -> file, as mcconfig builds it (a .ts source wins over a .js). */
function registeredModules(): Map<string, string> {
  const out = new Map<string, string>();
  const add = (specifier: string, base: string): void => {
    const file = [`${base}.ts`, `${base}.js`].find((f) => existsSync(f));
    if (file !== undefined) out.set(specifier, file);
  };
  for (const [key, value] of Object.entries(manifest.modules)) {
    for (const path of Array.isArray(value) ? value : [value]) {
      const target = resolve(manifestDir, path);
      if (key === '*') {
        add(basename(target), target);
      } else if (key.endsWith('/*')) {
        const dir = dirname(target);
        for (const name of readdirSync(dir)) {
          if (!isSource(name) || !statSync(join(dir, name)).isFile()) continue;
          const stem = name.replace(SOURCE, '');
          add(`${key.slice(0, -1)}${stem}`, join(dir, stem));
        }
      } else {
        add(key, target);
      }
    }
  }
  return out;
}

/** Imports that reach run time (type-only imports and exports are erased by tsc). */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly === true) continue;
      const named = clause?.namedBindings;
      const onlyTypes = clause !== undefined && clause.name === undefined && named !== undefined && ts.isNamedImports(named) &&
        named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (!onlyTypes) found.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)) {
      if (!statement.isTypeOnly) found.push(statement.moduleSpecifier.text);
    }
  }
  return found;
}

/** xs/platforms/mc/xsHosts.c fxFindModule: one leading "./" or "../", a trailing .js dropped. */
export function xsResolve(importer: string, name: string): string | undefined {
  let spec = name;
  const last = spec.slice(spec.lastIndexOf('/') + 1);
  if (/\.(m?js)$/.test(last)) spec = spec.slice(0, spec.lastIndexOf('.'));
  const dot = spec.startsWith('./') ? 1 : spec.startsWith('../') ? 2 : 0;
  if (dot === 0) return spec;
  let buffer = `/${importer}`;
  buffer = buffer.slice(0, buffer.lastIndexOf('/'));
  if (dot === 2) {
    if (buffer.lastIndexOf('/') < 0) return undefined;
    buffer = buffer.slice(0, buffer.lastIndexOf('/'));
  }
  return `${buffer}${spec.slice(dot)}`.slice(1);
}

const modules = registeredModules();
const ours = [...modules].filter(([s]) => s === 'main' || s.startsWith('firmware/') || s.startsWith('hosts/'));

describe('XS module resolution (what fxFindModule does)', () => {
  it('strips one leading ./ or ../ and a .js suffix', () => {
    expect(xsResolve('firmware/node/node', '../codec/cbor.js')).toBe('firmware/codec/cbor');
    expect(xsResolve('firmware/node/node', './config.js')).toBe('firmware/node/config');
    expect(xsResolve('hosts/esp32/app', '../esp32-core.js')).toBe('hosts/esp32-core');
    expect(xsResolve('hosts/esp32-core', '../firmware/index.js')).toBe('firmware/index');
    expect(xsResolve('hosts/esp32/app', '../../firmware/index.js')).toBe('hosts/../firmware/index');
    expect(xsResolve('main', '../x.js')).toBeUndefined();
  });
});

describe('manifests/sensor-node.json module map', () => {
  it('registers every source of firmware/ and hosts/esp32 under the specifier of its path', () => {
    const registered = new Set(ours.map(([, file]) => relative(root, file)));
    const walk = (dir: string): string[] => readdirSync(join(root, dir)).flatMap((name) => {
      const path = join(dir, name);
      return statSync(join(root, path)).isDirectory() ? walk(path) : isSource(name) ? [path] : [];
    });
    const expected = [...walk('firmware'), ...readdirSync(join(root, 'hosts/esp32')).filter(isSource).map((n) => `hosts/esp32/${n}`), 'hosts/esp32-core.ts'];
    expect(expected.filter((f) => !registered.has(f))).toEqual([]);
    for (const [specifier, file] of ours) {
      if (specifier === 'main') continue;
      expect(relative(root, file).replace(SOURCE, ''), specifier).toBe(specifier);
    }
  });

  it('has one module entry and one preload entry per firmware folder (npx tsx tools/esp32/sync-manifest.ts)', () => {
    const synced = syncManifest(manifest as unknown as Parameters<typeof syncManifest>[0], firmwareFolders(root));
    expect(synced.modules, 'run npx tsx tools/esp32/sync-manifest.ts').toEqual(manifest.modules);
    expect(synced.preload, 'run npx tsx tools/esp32/sync-manifest.ts').toEqual(manifest.preload);
  });

  it('maps each folder under its own name (the specifiers mirror the folders)', () => {
    for (const [key, value] of Object.entries(manifest.modules)) {
      if (key === '*' || key.startsWith('@noble/')) continue;
      const target = relative(root, resolve(manifestDir, value as string));
      expect(target, key).toBe(key);
    }
  });

  it('every value import of every registered module resolves, as XS resolves it, to the same file tsc and vitest use', () => {
    const problems: string[] = [];
    for (const [specifier, file] of modules) {
      for (const name of valueImports(file)) {
        const resolved = xsResolve(specifier, name);
        if (resolved === undefined) {
          problems.push(`${specifier}: "${name}" climbs above its specifier's root`);
          continue;
        }
        if (name.startsWith('.')) {
          const target = modules.get(resolved);
          if (target === undefined) {
            problems.push(`${specifier}: "${name}" is "${resolved}" on XS, which is not a module${name.startsWith('../../') ? ' (XS strips only one "../")' : ''}`);
            continue;
          }
          const onDisk = resolve(dirname(file), name).replace(/\.js$/, '');
          if (target.replace(SOURCE, '') !== onDisk) problems.push(`${specifier}: "${name}" is ${relative(root, target)} on XS but ${relative(root, onDisk)} on disk`);
        } else if (!modules.has(resolved) && !SDK_SPECIFIERS.some((p) => p.test(resolved))) {
          problems.push(`${specifier}: "${name}" is neither registered nor a Moddable module we include`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the app reaches its host by the bare specifier "hosts/esp32/app"', () => {
    expect(valueImports(modules.get('main')!)).toEqual(['hosts/esp32/app']);
    expect(modules.get('hosts/esp32/app')).toBe(join(root, 'hosts/esp32/app.ts'));
  });

  it('preloads the core, the host and the crypto packages (everything but main)', () => {
    const covered = (specifier: string) => manifest.preload.some((p) => (p.endsWith('/*') ? specifier.startsWith(p.slice(0, -1)) && !specifier.slice(p.length - 1).includes('/') : p === specifier));
    const missing = [...modules.keys()].filter((s) => s !== 'main' && !covered(s));
    expect(missing).toEqual([]);
  });

  it('maps the @noble packages into node_modules, only the files the core uses', () => {
    const noble = [...modules.keys()].filter((s) => s.startsWith('@noble/')).sort();
    expect(noble).toEqual(['@noble/ed25519', '@noble/hashes/_md', '@noble/hashes/_u64', '@noble/hashes/sha2', '@noble/hashes/utils']);
    for (const s of noble) expect(modules.get(s)!.startsWith(join(root, 'node_modules/@noble/')), s).toBe(true);
  });
});

describe('manifests/sensor-node.json platforms and build settings', () => {
  const sdkconfigFlash = (dir: string) => /^CONFIG_ESPTOOLPY_FLASHSIZE_(\d+)MB=y$/m.exec(readFileSync(join(dir, 'sdkconfig.defaults'), 'utf8'))?.[1];

  it('has a section for each board of the tools, with a partition table and sdkconfig of its flash size', () => {
    for (const board of BOARDS) {
      const section = manifest.platforms[board.platform];
      expect(section, board.platform).toBeDefined();
      const table = resolve(manifestDir, section!.build!['PARTITIONS_FILE']!);
      const sdkconfig = resolve(manifestDir, section!.build!['SDKCONFIGPATH']!);
      expect(relative(root, table)).toBe(`manifests/partitions/partitions-${board.flashSize}.csv`);
      expect(existsSync(sdkconfig) && existsSync(join(sdkconfig, 'sdkconfig.defaults.release')), sdkconfig).toBe(true);
      expect(`${sdkconfigFlash(sdkconfig)}mb`).toBe(board.flashSize);
    }
    expect(manifest.platforms['esp32/*']!.build!['PARTITIONS_FILE']).toBe('./partitions/partitions-4mb.csv');
    expect(manifest.platforms['...']!.error).toMatch(/ESP32 only/);
  });

  it('sizes the XS machine per chip: separate pools on ESP32 and S3, one static block on C3', () => {
    for (const platform of ['esp32', 'esp32/esp32s3', 'esp32/esp32c3']) expect(manifest.platforms[platform]!.creation, platform).toBeDefined();
    expect(manifest.platforms['esp32/esp32c3']!.creation!['static']).toBeGreaterThan(94_208);
    expect(manifest.platforms['esp32']!.creation!['static']).toBe(0);
    // Other boards keep their own board manifest's sizes.
    expect(manifest.platforms['esp32/*']!.creation).toBeUndefined();
  });

  it('compiles TypeScript with the project\'s tsc, ES2024 (TS 5) and strict', () => {
    expect(manifest.typescript.compiler).toBe('$(SN_TSC)');
    expect(existsSync(resolve(manifestDir, manifest.build['SN_TSC']!))).toBe(true);
    expect(manifest.typescript.tsconfig.compilerOptions).toEqual({ lib: ['es2024'], target: 'ES2024', strict: true });
    expect(manifest.build['NAME']).toBe('sensor-node');
  });

  it('includes the SDK manifests the host imports from (IO, Wi-Fi, storage, flash, TLS and with it crypt, sensors)', () => {
    for (const part of ['modules/io/manifest.json', 'modules/io/wifi/', 'modules/io/storage/', 'modules/io/update/', 'tcp/tlssocket/', 'sensors/sht3x/', 'sensors/bmp280/', 'sensors/bme68x/']) {
      expect(manifest.include.some((i) => i.startsWith('$(MODDABLE)/') && i.includes(part)), part).toBe(true);
    }
  });
});
