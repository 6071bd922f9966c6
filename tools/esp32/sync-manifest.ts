/**
 * npx tsx tools/esp32/sync-manifest.ts: brings manifests/sensor-node.json's module map and
 * preload list in step with the folders of firmware/ (one "firmware/<folder>/*" entry per folder
 * holding sources, as XS needs the specifiers to mirror the folders). Other entries stay as they
 * are. test/esp32/manifest.test.ts fails while the two differ.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

type Manifest = { modules: Record<string, string | string[]>; preload: string[] } & Record<string, unknown>;

export function firmwareFolders(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const names = readdirSync(dir);
    if (names.some((n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))) out.push(relative(root, dir));
    for (const n of names) if (statSync(join(dir, n)).isDirectory()) walk(join(dir, n));
  };
  walk(join(root, 'firmware'));
  return out.sort();
}

export function syncManifest(manifest: Manifest, folders: readonly string[]): Manifest {
  const modules: Record<string, string | string[]> = {};
  const firmwareKeys = folders.map((f) => `${f}/*`);
  let placed = false;
  for (const [key, value] of Object.entries(manifest.modules)) {
    if (key.startsWith('firmware/')) {
      if (!placed) for (const k of firmwareKeys) modules[k] = `../${k}`;
      placed = true;
      continue;
    }
    modules[key] = value;
  }
  if (!placed) for (const k of firmwareKeys) modules[k] = `../${k}`;
  const preload = [...firmwareKeys, ...manifest.preload.filter((p) => !p.startsWith('firmware/'))];
  return { ...manifest, modules, preload };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.filename === resolve(process.argv[1]);
if (invokedDirectly) {
  const root = resolve(import.meta.dirname, '../..');
  const path = join(root, 'manifests', 'sensor-node.json');
  const before = readFileSync(path, 'utf8');
  const after = `${JSON.stringify(syncManifest(JSON.parse(before) as Manifest, firmwareFolders(root)), null, 2)}\n`;
  if (after === before) process.stdout.write('manifests/sensor-node.json is in step with firmware/\n');
  else {
    writeFileSync(path, after);
    process.stdout.write('manifests/sensor-node.json updated\n');
  }
}
