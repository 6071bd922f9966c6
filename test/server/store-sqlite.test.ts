/**
 * What only the SQLite store promises: one process owns the data directory while the store is
 * open (a second opener, in this process or another, is refused with a message that says what
 * to do), the lock goes with close(), and no shared-memory WAL index is ever created. The
 * device index that relies on this is held to its behaviour by the store contract.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../ota-server/store/index.js';
import { makeTarget, type StoreTarget } from './helpers/db.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const T0 = 1_750_000_000_000;
const IN_USE = /in use by another server process: one server process owns a SQLite data directory; to run several instances, use PostgreSQL \(DATABASE_URL\)/;

/** openStore in a separate process; prints 'opened' or the error message. */
async function openInChild(dataDir: string): Promise<string> {
  const script = `
    const { openStore } = await import('./ota-server/store/index.js');
    try { const s = await openStore({ dataDir: process.argv[1] }); console.log('opened'); await s.close(); }
    catch (e) { console.log(e.message); }`;
  return (await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dataDir], { cwd: root })).stdout.trim();
}

/** A plain better-sqlite3 read of the file from a separate process (what the sqlite3 CLI would do). */
async function readInChild(file: string): Promise<string> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1], { timeout: 0 });
    try { console.log(db.prepare('SELECT count(*) AS n FROM devices').get().n); } catch (e) { console.log(e.code); }`;
  return (await run(process.execPath, ['-e', script, file], { cwd: root })).stdout.trim();
}

describe('SQLite store: one process owns the data directory', () => {
  let target: StoreTarget;
  let store: Store;
  beforeEach(async () => {
    target = makeTarget('sqlite');
    store = await target.open(T0);
    await store.createDevices([{ id: 'd1', board: 'b', tags: [], claimHash: 'c1' }], T0);
    await store.claimDevice('d1', 'c1', { tokenHash: 't1', mqttPasswordHash: 'm' }, T0);
  });
  afterEach(async () => {
    await store.close();
    await target.dispose();
  });

  it('refuses a second store on the same directory in this process, at once, and reopens after close', async () => {
    const started = performance.now();
    await expect(target.open(T0)).rejects.toThrow(IN_USE);
    expect(performance.now() - started).toBeLessThan(1000);
    // The refused opener left the owner alone.
    await store.updateDeviceTags('d1', ['still-mine']);
    expect(await store.findDeviceByTokenHash('t1')).toEqual({ id: 'd1', board: 'b', tags: ['still-mine'] });

    await store.close();
    store = await target.open(T0);
    expect(await store.findDeviceByTokenHash('t1')).toEqual({ id: 'd1', board: 'b', tags: ['still-mine'] });
    await expect(target.open(T0)).rejects.toThrow(IN_USE);
  });

  it('refuses another process, server or plain reader, until the store is closed', async () => {
    expect(await openInChild(target.dataDir)).toMatch(IN_USE);
    expect(await readInChild(join(target.dataDir, 'ota.sqlite'))).toBe('SQLITE_BUSY');
    await store.close();
    expect(await readInChild(join(target.dataDir, 'ota.sqlite'))).toBe('1');
    expect(await openInChild(target.dataDir)).toBe('opened');
    store = await target.open(T0);
  });

  it('keeps the WAL index in memory: no -shm file, even after writes', async () => {
    await store.updateDeviceTags('d1', ['x']);
    expect(readdirSync(target.dataDir).filter((f) => f.startsWith('ota.sqlite'))).not.toContain('ota.sqlite-shm');
  });
});
