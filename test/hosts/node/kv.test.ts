import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFirmwareError } from '../../../firmware/index.js';
import { createFileKv, createMemoryKv } from '../../../hosts/node/index.js';
import { describeKvContract } from '../../contract/kv.js';

const dir = mkdtempSync(join(tmpdir(), 'kv-test-'));
let n = 0;
const freshPath = (): string => join(dir, `kv-${n++}.json`);
const paths = new WeakMap<object, string>();

describeKvContract('node memory kv', () => createMemoryKv());
describeKvContract('node file kv', () => {
  const path = freshPath();
  const kv = createFileKv(path);
  paths.set(kv, path);
  return kv;
}, { reopen: (kv) => createFileKv(paths.get(kv)!) });

describe('file kv', () => {
  it('writes atomically: no temporary file is left behind', () => {
    const path = freshPath();
    createFileKv(path).set('a', Uint8Array.of(1));
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ a: 'AQ==' });
  });
  it('refuses a corrupt file with ERR_STATE_CORRUPT', () => {
    const path = freshPath();
    writeFileSync(path, '[1,2]');
    let error: unknown;
    try { createFileKv(path); } catch (e) { error = e; }
    expect(isFirmwareError(error, 'ERR_STATE_CORRUPT')).toBe(true);
    writeFileSync(path, '{"bad key!":"AA=="}');
    error = undefined;
    try { createFileKv(path); } catch (e) { error = e; }
    expect(isFirmwareError(error, 'ERR_STATE_CORRUPT')).toBe(true);
  });
});
