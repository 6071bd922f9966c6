/**
 * Code that runs on the device (firmware/, hosts/esp32/, their bridge and the manifest's main)
 * keeps to the ES2022 library and the RegExp syntax XS builds by default. `lib: es2022` in the
 * tsconfigs catches typed calls; this test also catches calls on `any`/`unknown` casts and
 * RegExp features no lib setting can see: ES2023+ array, Set, ArrayBuffer, string and Promise
 * methods, Object/Map.groupBy, Array.fromAsync, Iterator.from, structuredClone, Intl, `\p{...}` property
 * escapes and the `v` flag.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Methods called on an instance (any receiver): ES2023 (array by copy, findLast), ES2024, ES2025. */
const INSTANCE_METHODS = new Set([
  'toSorted', 'toReversed', 'toSpliced', 'with', 'findLast', 'findLastIndex', // ES2023 arrays and typed arrays
  'isWellFormed', 'toWellFormed', 'transfer', 'transferToFixedLength', // ES2024 strings, ArrayBuffer
  'union', 'intersection', 'difference', 'symmetricDifference', 'isSubsetOf', 'isSupersetOf', 'isDisjointFrom', // ES2025 Set methods
]);
/** Static members, as `Receiver.member`. */
const STATIC_MEMBERS = new Set(['Object.groupBy', 'Map.groupBy', 'Array.fromAsync', 'Promise.withResolvers', 'Promise.try', 'RegExp.escape', 'Atomics.waitAsync', 'Iterator.from']);
/** Globals XS on the device does not have. */
const GLOBALS = new Set(['structuredClone', 'Intl']);

/** `o.name` or `{ name: ... }`: the identifier names a member, not the global. */
function isMemberName(node: ts.Identifier): boolean {
  const p = node.parent;
  return (ts.isPropertyAccessExpression(p) && p.name === node) || (ts.isPropertyAssignment(p) && p.name === node);
}

/** Every use of a library feature beyond ES2022 in `text`, as "line: what". */
function beyondEs2022(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node): number => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const member = node.name.text;
      const whole = `${node.expression.getText(source)}.${member}`;
      if (STATIC_MEMBERS.has(whole)) found.push(`${at(node)}: ${whole}`);
      else if (INSTANCE_METHODS.has(member) && ts.isCallExpression(node.parent) && node.parent.expression === node) found.push(`${at(node)}: .${member}()`);
    } else if (ts.isIdentifier(node) && GLOBALS.has(node.text) && !isMemberName(node)) {
      found.push(`${at(node)}: ${node.text}`);
    } else if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText(source);
      const slash = literal.lastIndexOf('/');
      const body = literal.slice(1, slash);
      if (/(^|[^\\])(\\\\)*\\[pP]\{/.test(body)) found.push(`${at(node)}: RegExp property escape ${literal}`);
      if (literal.slice(slash + 1).includes('v')) found.push(`${at(node)}: RegExp v flag ${literal}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const deviceFiles = [
  ...tsFiles(join(root, 'firmware')),
  ...(existsSync(join(root, 'hosts/esp32')) ? tsFiles(join(root, 'hosts/esp32')) : []),
  ...['hosts/esp32-core.ts', 'manifests/main.ts'].map((f) => join(root, f)).filter((f) => existsSync(f)),
];

describe('the detector', () => {
  it('finds each ES2023+ library call, global and RegExp feature', () => {
    const sample = [
      'a.toSorted(); a.toReversed(); a.toSpliced(0, 1); a.with(0, 1); a.findLast(f); (a as any).findLastIndex(f);',
      's.isWellFormed(); s.toWellFormed(); buf.transfer(); buf.transferToFixedLength();',
      'x.union(y); x.intersection(y); x.difference(y); x.symmetricDifference(y); x.isSubsetOf(y); x.isSupersetOf(y); x.isDisjointFrom(y);',
      'Object.groupBy(a, f); Map.groupBy(a, f); Array.fromAsync(a); Promise.withResolvers(); Promise.try(f); RegExp.escape(s); Atomics.waitAsync(b, 0, 0);',
      'structuredClone(v); new Intl.NumberFormat(); Iterator.from(a);',
      'const r = /\\p{L}/u; const w = /[a]/v;',
    ].join('\n');
    expect(beyondEs2022('sample.ts', sample)).toHaveLength(6 + 4 + 7 + 7 + 3 + 2);
  });

  it('leaves ES2022 code, comments, strings, escaped backslashes and own members alone', () => {
    const sample = [
      'a.at(-1); a.findIndex(f); Object.hasOwn(o, k); s.replaceAll("x", "y"); a.sort(); a.slice().reverse();',
      '// a.toSorted() in a comment',
      'const text = "Object.groupBy"; const r = /\\\\p{L}/u; const o = { with: 1, Intl: 2 }; o.with;',
    ].join('\n');
    expect(beyondEs2022('sample.ts', sample)).toEqual([]);
  });
});

describe('device code uses only the ES2022 library (XS)', () => {
  it('finds the device sources', () => expect(deviceFiles.length).toBeGreaterThan(20));
  for (const file of deviceFiles) {
    const name = relative(root, file);
    it(`${name}`, () => expect(beyondEs2022(name, readFileSync(file, 'utf8'))).toEqual([]));
  }
});
