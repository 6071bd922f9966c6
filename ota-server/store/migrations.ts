/**
 * Versioned schema migrations, applied in order inside one transaction and recorded in
 * `schema_migrations`. A migration is never edited once released: add a new one. A database
 * that carries a version this code does not know is refused (it was written by a newer server).
 */
import type { SqlDriver } from './driver.js';

export interface Migration {
  version: number;
  name: string;
  sql(dialect: SqlDriver['dialect']): string;
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'initial schema',
    sql: (d) => {
      const blob = d === 'sqlite' ? 'BLOB' : 'BYTEA';
      const serial = d === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
      return `
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL, revoked_at BIGINT
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY, board TEXT NOT NULL, tags TEXT NOT NULL, created_at BIGINT NOT NULL,
  claim_hash TEXT, claimed_at BIGINT, token_hash TEXT UNIQUE, mqtt_password_hash TEXT,
  last_seen_at BIGINT, status TEXT
);
CREATE INDEX devices_board ON devices (board);
CREATE TABLE trusted_keys (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, public_key TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL, revoked_at BIGINT
);
CREATE TABLE firmware (
  sha256 TEXT PRIMARY KEY, version TEXT NOT NULL, board TEXT NOT NULL, security_version BIGINT NOT NULL,
  size BIGINT NOT NULL, manifest ${blob} NOT NULL, key_id TEXT NOT NULL, created_at BIGINT NOT NULL,
  image_stored_at BIGINT
);
CREATE TABLE rollouts (
  id TEXT PRIMARY KEY, firmware_sha256 TEXT NOT NULL REFERENCES firmware (sha256), board TEXT NOT NULL,
  tags TEXT NOT NULL, target_key TEXT NOT NULL, stages TEXT NOT NULL, stage_index INTEGER NOT NULL,
  state TEXT NOT NULL, failure_threshold DOUBLE PRECISION NOT NULL, min_sample INTEGER NOT NULL,
  soak_ms BIGINT, stage_started_at BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  state_reason TEXT
);
CREATE UNIQUE INDEX rollouts_one_live_per_target ON rollouts (target_key) WHERE state IN ('active', 'paused');
CREATE TABLE rollout_devices (
  rollout_id TEXT NOT NULL REFERENCES rollouts (id), device_id TEXT NOT NULL, state TEXT NOT NULL,
  reason TEXT, offered_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (rollout_id, device_id)
);
CREATE INDEX rollout_devices_device ON rollout_devices (device_id);
CREATE TABLE config_versions (
  version ${serial}, scope TEXT NOT NULL, document TEXT, created_at BIGINT NOT NULL
);
CREATE INDEX config_versions_scope ON config_versions (scope, version);
CREATE TABLE configs (
  scope TEXT PRIMARY KEY, version BIGINT NOT NULL, document TEXT NOT NULL, updated_at BIGINT NOT NULL
);`;
    },
  },
  {
    // Check-ins rewrote the wide devices row (hashes, tags, board) once per device per flush;
    // in a narrow table each status write touches only its own small row. WITHOUT ROWID on
    // SQLite: the row lives in its key's b-tree, so there is one b-tree to write, not two. The
    // cascade keeps a deleted device's status from outliving it (and reappearing on a new
    // device of the same id). recordCheckIns always wrote both old columns together;
    // COALESCE only keeps a hand-made row with a time but no status from failing the upgrade
    // (JSON 'null' reads back as no status). PostgreSQL's DROP COLUMN just hides the column;
    // its old bytes go as rows are next rewritten.
    version: 2,
    name: 'check-in status in its own table',
    sql: (d) => `
CREATE TABLE device_status (
  device_id TEXT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  last_seen_at BIGINT NOT NULL, status TEXT NOT NULL
)${d === 'sqlite' ? ' WITHOUT ROWID' : ''};
INSERT INTO device_status (device_id, last_seen_at, status)
  SELECT id, last_seen_at, COALESCE(status, 'null') FROM devices WHERE last_seen_at IS NOT NULL;
ALTER TABLE devices DROP COLUMN last_seen_at;
ALTER TABLE devices DROP COLUMN status`,
  },
]);

export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Brings the schema up to date; returns the versions applied now. */
export async function migrate(driver: SqlDriver, nowMs: number, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await driver.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
  return driver.transaction(async (tx) => {
    // Several stateless instances may start together on one PostgreSQL: one migrates at a time.
    if (driver.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(hashtext(current_schema()))');
    const applied = new Set((await tx.all('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const known = new Set(migrations.map((m) => m.version));
    for (const version of applied) {
      if (!known.has(version)) throw new Error(`database has schema migration ${version}, unknown to this server (newer release?)`);
    }
    const done: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      for (const statement of m.sql(driver.dialect).split(';').map((s) => s.trim()).filter(Boolean)) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, nowMs]);
      done.push(m.version);
    }
    return done;
  });
}
