/**
 * Opens the configured store: PostgreSQL when a database URL is given (DATABASE_URL), else
 * SQLite in `<dataDir>/ota.sqlite`, owned by this process until close (a second opener, in
 * this process or another, is refused). Several instances share one PostgreSQL, so there
 * every device lookup reads the database.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlDriver } from './driver.js';
import { PostgresDriver } from './postgres-driver.js';
import { SqliteDriver } from './sqlite-driver.js';
import { SqlStore } from './sql-store.js';
import type { Store } from './types.js';

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to use (tests give each file its own). */
  schema?: string | undefined;
  nowMs?: number;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const now = options.nowMs ?? Date.now();
  return SqlStore.open(await openDriver(options), now);
}

/** The configured database with no store on top and no migration run (tests build older schemas on it). */
export async function openDriver(options: Omit<StoreOptions, 'nowMs'>): Promise<SqlDriver> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    const driver = new PostgresDriver(options.databaseUrl, { schema: options.schema });
    if (options.schema !== undefined) await driver.exec(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    return driver;
  }
  mkdirSync(options.dataDir, { recursive: true });
  return new SqliteDriver(join(options.dataDir, 'ota.sqlite'));
}

export * from './types.js';
export { targetKey } from './sql-store.js';
