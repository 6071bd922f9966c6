/**
 * The ESP32 host runs on XS, preloaded: no Node or web globals, no Intl, no console, no
 * assignment of `name` in an Error subclass (Error.prototype.name is frozen after preload), no
 * class changed after its definition, no work at module top level. The ES2022 library rule is
 * enforced by hosts/esp32/tsconfig.json (lib es2022) in `npm run typecheck`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const files = [
  ...readdirSync(join(root, 'hosts/esp32')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join('hosts/esp32', f)),
  'hosts/esp32-core.ts',
  'manifests/main.ts',
];

const FORBIDDEN = [/\bconsole\./, /\bprocess\./, /\bBuffer\b/, /\brequire\(/, /\bIntl\./, /\bsetTimeout\(/, /\bsetInterval\(/, /\bnew TextEncoder\b/, /\bnew TextDecoder\b/, /\bstructuredClone\(/, /\bfetch\(/, /\bthis\.name\s*=/];

function code(file: string): string {
  return readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('hosts/esp32 keeps to what XS offers', () => {
  for (const file of files) {
    it(`${file}: no Node, web or Intl globals, no Error name assignment`, () => {
      const text = code(file);
      for (const pattern of FORBIDDEN) expect(pattern.test(text), `${file} matches ${pattern}`).toBe(false);
    });

    it(`${file}: top level only declares (preload-safe), and changes no class afterwards`, () => {
      const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
      for (const statement of source.statements) {
        const ok = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isFunctionDeclaration(statement) ||
          ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isClassDeclaration(statement) ||
          ts.isVariableStatement(statement) || ts.isExportAssignment(statement);
        expect(ok, `${file}: top-level ${ts.SyntaxKind[statement.kind]} at line ${source.getLineAndCharacterOfPosition(statement.getStart()).line + 1}`).toBe(true);
        if (ts.isVariableStatement(statement)) {
          for (const d of statement.declarationList.declarations) {
            // Initialisers may build frozen tables; they may not call into the host (moddable(), native(), new X).
            const init = d.initializer?.getText(source) ?? '';
            expect(/\b(moddable|native|runDevice|start)\(|\bnew [A-Z]/.test(init), `${file}: ${d.name.getText(source)} = ${init.slice(0, 40)}`).toBe(false);
          }
        }
      }
    });
  }
});
