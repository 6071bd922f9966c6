import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

// The one rule of the architecture (design section 2): firmware/ depends on nothing outward,
// and only on packages written for every engine.
const root = resolve(import.meta.dirname, '../..');
const ENGINE_NEUTRAL_PACKAGES = [/^@noble\/(ed25519|hashes)(\/|$)/];
const FORBIDDEN_GLOBALS = [/\bBuffer\b/, /\bprocess\./, /\bconsole\./, /\bsetTimeout\(/, /\bsetInterval\(/, /\bnew TextEncoder\b/, /\bnew TextDecoder\b/, /\brequire\(/, /\bIntl\./, /\bstructuredClone\(/, /\bDate\.now\(/];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push(m[1] ?? m[2]!);
  }
  return found;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('firmware/ imports nothing outward', () => {
  const files = tsFiles(join(root, 'firmware'));
  it('finds the firmware sources', () => expect(files.length).toBeGreaterThan(5));
  for (const file of files) {
    const name = relative(root, file);
    it(`${name} imports only firmware/ and engine-neutral packages`, () => {
      const source = readFileSync(file, 'utf8');
      for (const spec of importsOf(source)) {
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          expect(relative(join(root, 'firmware'), target).startsWith('..'), `${name} imports ${spec}`).toBe(false);
          expect(spec.endsWith('.js'), `${name}: relative import ${spec} needs the .js suffix (XS and bundler resolution)`).toBe(true);
        } else {
          expect(ENGINE_NEUTRAL_PACKAGES.some((p) => p.test(spec)), `${name} imports ${spec}`).toBe(true);
        }
      }
    });
    it(`${name} uses no Node or web globals`, () => {
      const code = stripComments(readFileSync(file, 'utf8'));
      for (const pattern of FORBIDDEN_GLOBALS) expect(pattern.test(code), `${name} matches ${pattern}`).toBe(false);
    });
  }
});
