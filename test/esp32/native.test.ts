/**
 * The native half of the ESP32 host: hosts/esp32/native/*.c, the manifest's "ffi" functions and
 * the NativeApi the ports call (which the mc/ffi stand-in declares) must agree; retained.c runs on the
 * host with gcc; all native files compile against stand-ins of the ESP-IDF headers for the three
 * kinds of wake-up hardware (skipped where there is no gcc).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(root, 'manifests/sensor-node.json'), 'utf8')) as {
  ffi: { sources: string[]; functions: Record<string, { arguments?: string[]; returns?: string }> };
};
const functions = manifest.ffi.functions;
const nativeDir = join(root, 'hosts/esp32/native');
const stubs = join(root, 'test/esp32/idf-stubs');
const hasGcc = spawnSync('gcc', ['--version']).status === 0;

const normalize = (type: string): string => type.replace(/\s*\*\s*$/, '*').replace(/\s+/g, ' ').trim();

/** Non-static sn_* definitions in the C files: name -> { returns, arguments }. */
function cDefinitions(): Map<string, { returns: string; arguments: string[] }> {
  const out = new Map<string, { returns: string; arguments: string[] }>();
  for (const file of readdirSync(nativeDir).filter((f) => f.endsWith('.c'))) {
    const text = readFileSync(join(nativeDir, file), 'utf8');
    for (const m of text.matchAll(/^(?!static)([A-Za-z_][\w ]*?\s*\*?)\s*(sn_\w+)\(([^)]*)\)\s*\n\{/gm)) {
      const args = m[3]!.trim() === 'void' ? [] : m[3]!.split(',').map((a) => normalize(a.trim().replace(/\s*\b\w+$/, '').replace(/\*\s*\w+$/, '*')));
      out.set(m[2]!, { returns: normalize(m[1]!), arguments: args });
    }
  }
  return out;
}

/** tools/ffi.js: the TypeScript of each FFI type. */
function tsType(type: string): string {
  if (type === 'void') return 'void';
  if (type === 'char*' || type === 'const char*') return 'string';
  if (type.endsWith('*')) return 'ArrayBuffer';
  return 'number';
}

describe('ffi: manifest, C and NativeApi agree', () => {
  const defs = cDefinitions();

  it('every manifest source exists and every declared function is defined with the declared types', () => {
    for (const source of manifest.ffi.sources) expect(readFileSync(resolve(root, 'manifests', source), 'utf8').length, source).toBeGreaterThan(0);
    for (const [name, sig] of Object.entries(functions)) {
      const def = defs.get(name);
      expect(def, `${name} is not defined in hosts/esp32/native`).toBeDefined();
      expect(def!.returns, `${name} returns`).toBe(normalize(sig.returns ?? 'void'));
      expect(def!.arguments, `${name} arguments`).toEqual((sig.arguments ?? []).map(normalize));
    }
  });

  it('every native sn_ function is declared in the manifest (nothing unreachable)', () => {
    expect([...defs.keys()].filter((n) => !(n in functions))).toEqual([]);
  });

  it('uses no 64-bit integers (the generated mc/ffi typing calls them numbers, XS wants BigInt)', () => {
    for (const [name, sig] of Object.entries(functions)) {
      for (const t of [sig.returns ?? 'void', ...(sig.arguments ?? [])]) expect(t, name).not.toMatch(/64/);
    }
  });

  it('NativeApi (hosts/esp32/moddable-types.ts) has the methods mcconfig generates, with the same types', () => {
    const text = readFileSync(join(root, 'hosts/esp32/moddable-types.ts'), 'utf8');
    const body = text.slice(text.indexOf('export interface NativeApi {'), text.indexOf('}', text.indexOf('export interface NativeApi {')));
    const methods = [...body.matchAll(/^\s*(sn_\w+)\(([^)]*)\): (\w+);/gm)].map((m) => ({
      name: m[1]!,
      params: m[2]!.trim() === '' ? [] : m[2]!.split(',').map((p) => p.split(':')[1]!.trim()),
      returns: m[3]!,
    }));
    expect(methods.map((m) => m.name).sort()).toEqual(Object.keys(functions).sort());
    for (const m of methods) {
      const sig = functions[m.name]!;
      expect(m.params, m.name).toEqual((sig.arguments ?? []).map((a) => tsType(normalize(a))));
      expect(m.returns, m.name).toBe(tsType(normalize(sig.returns ?? 'void')));
    }
  });
});

describe.skipIf(!hasGcc)('native C on the host (gcc, ESP-IDF header stand-ins)', () => {
  const variants = {
    'ESP32, S2, S3 (ext0 + ext1)': ['-DSOC_PM_SUPPORT_EXT0_WAKEUP=1', '-DSOC_PM_SUPPORT_EXT1_WAKEUP=1'],
    'C6, H2 (ext1 + GPIO)': ['-DSOC_PM_SUPPORT_EXT1_WAKEUP=1', '-DSOC_GPIO_SUPPORT_DEEPSLEEP_WAKEUP=1'],
    'C3 (GPIO wake only)': ['-DSOC_GPIO_SUPPORT_DEEPSLEEP_WAKEUP=1'],
    'ESP-IDF 5 (single wake cause)': ['-DESP_IDF_VERSION_MAJOR=5', '-DSOC_PM_SUPPORT_EXT0_WAKEUP=1'],
  };
  for (const [name, flags] of Object.entries(variants)) {
    it(`compiles without a warning for ${name}`, () => {
      const files = readdirSync(nativeDir).filter((f) => f.endsWith('.c')).map((f) => join(nativeDir, f));
      const result = spawnSync('gcc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', `-I${stubs}`, ...flags, ...files], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  }

  it('retained.c keeps a record across deep sleep and resets, and drops noise, power-on records and torn writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sn-retained-'));
    try {
      const exe = join(dir, 'retained-driver');
      execFileSync('gcc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', `-I${stubs}`, '-o', exe, join(stubs, 'retained-driver.c')]);
      const run = spawnSync(exe, [], { encoding: 'utf8' });
      const lines = run.stdout.trim().split('\n');
      expect(lines.filter((l) => !l.startsWith('ok '))).toEqual([]);
      expect(lines.length).toBeGreaterThanOrEqual(18);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
