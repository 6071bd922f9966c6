import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { createNobleCrypto } from '../../../../firmware/crypto/noble.js';

const entry = fileURLToPath(new URL('../../../../firmware/crypto/noble.ts', import.meta.url));

describe('firmware/crypto/noble.ts', () => {
  it('pulls in only engine-neutral code: no node: modules, require, Buffer or process in what it bundles', () => {
    const result = buildSync({
      entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'],
      write: false, metafile: true, logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs.some((p) => p.includes('@noble/ed25519'))).toBe(true);
    expect(inputs.some((p) => p.includes('@noble/hashes'))).toBe(true);
    for (const input of inputs) {
      const source = readFileSync(input, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(source, input).not.toMatch(/from\s+['"]node:|require\(|\bBuffer\.|\bprocess\./);
    }
    // The bundle leaves no import unresolved (nothing external).
    expect(result.outputFiles[0]!.text).not.toMatch(/^import /m);
  });

  it('wires noble 3\'s sha512 hook at construction (noble-ed25519#84), idempotently', () => {
    const crypto = createNobleCrypto();
    expect(typeof ed.hashes.sha512).toBe('function');
    const hook = ed.hashes.sha512;
    createNobleCrypto();
    expect(ed.hashes.sha512).toBe(hook);
    expect(crypto.verifyEd25519(new Uint8Array(64), new Uint8Array(0), new Uint8Array(32))).toBe(false);
  });
});
