/**
 * Bundle a TypeScript entry (and everything it imports: firmware/, hosts/xs/guest/, engine-
 * neutral packages) into one script for an XS worker: esbuild, IIFE, ES2022, platform neutral.
 */
import { buildSync } from 'esbuild';

export interface BundleOptions {
  /** Minify identifiers and whitespace (what bench core.bundleBytes measures). */
  minify?: boolean;
}

export function bundle(entryTs: string, options: BundleOptions = {}): string {
  const result = buildSync({
    entryPoints: [entryTs],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    platform: 'neutral',
    // platform neutral resolves no package fields by default; @noble/* publish ESM under these.
    mainFields: ['module', 'main'],
    minify: options.minify === true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no output for ${entryTs}`);
  return file.text;
}
