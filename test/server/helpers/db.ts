/**
 * Storage targets for server tests: SQLite always, PostgreSQL too when DATABASE_URL is set.
 * Each target has its own data directory and, on PostgreSQL, its own schema (t_<random>),
 * dropped by dispose(); open() may be called again to reopen the same data (restart tests).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { SqlDriver } from '../../../ota-server/store/driver.js';
import { openDriver, openStore, type Store } from '../../../ota-server/store/index.js';

export interface StoreTarget {
  readonly name: 'sqlite' | 'postgres';
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly schema: string | undefined;
  open(nowMs?: number): Promise<Store>;
  /** The same database with no store on top and no migration run (to build an older schema). */
  driver(): Promise<SqlDriver>;
  dispose(): Promise<void>;
}

export const DATABASE_URL = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== '' ? process.env.DATABASE_URL : undefined;

export const TARGET_NAMES: ReadonlyArray<StoreTarget['name']> = DATABASE_URL === undefined ? ['sqlite'] : ['sqlite', 'postgres'];

export function makeTarget(name: StoreTarget['name']): StoreTarget {
  const dataDir = mkdtempSync(join(tmpdir(), 'ota-test-'));
  const databaseUrl = name === 'postgres' ? DATABASE_URL : undefined;
  if (name === 'postgres' && databaseUrl === undefined) throw new Error('DATABASE_URL is not set');
  const schema = name === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  return {
    name, dataDir, databaseUrl, schema,
    open: (nowMs?: number) => openStore({ dataDir, databaseUrl, schema, nowMs }),
    driver: () => openDriver({ dataDir, databaseUrl, schema }),
    async dispose() {
      if (schema !== undefined) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await client.end();
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
