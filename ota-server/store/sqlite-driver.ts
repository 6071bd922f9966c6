/**
 * better-sqlite3 behind the async SqlDriver. The database is one file in WAL mode with
 * synchronous=NORMAL: a commit survives a process crash, and only a power loss may drop the
 * last few commits (SQLite WAL docs), which suits a server of this kind.
 *
 * One process owns the file: it is opened with locking_mode=EXCLUSIVE and the lock is taken
 * before the constructor returns, so a second server on the same data directory fails at
 * start instead of sharing it; the store's device index relies on being the only writer. Set
 * before journal_mode=WAL, exclusive mode also keeps the WAL index in heap memory: no -shm
 * file (https://sqlite.org/wal.html, "Use of WAL Without Shared-Memory").
 *
 * better-sqlite3 is synchronous, so a statement never interleaves with another; a transaction
 * whose body awaits could, though (microtasks of other requests run between its awaits), so
 * while one is open every other statement waits for it.
 */
import Database from 'better-sqlite3';
import type { Row, SqlDriver, SqlExecutor, SqlValue } from './driver.js';

type Statement = Database.Statement<unknown[], Row>;

const NO_PARAMS: unknown[] = [];

/** better-sqlite3 takes Buffers, not other Uint8Arrays; parameter lists without bytes pass as they are. */
function bind(params: readonly SqlValue[] | undefined): readonly unknown[] {
  if (params === undefined) return NO_PARAMS;
  for (const p of params) {
    if (p instanceof Uint8Array && !Buffer.isBuffer(p)) {
      return params.map((q) => (q instanceof Uint8Array && !Buffer.isBuffer(q) ? Buffer.from(q.buffer, q.byteOffset, q.byteLength) : q));
    }
  }
  return params;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * No busy timeout: once the lock is held nobody else can take it, so waiting would only delay
 * the refusal of a second server (and, within one process, block the event loop for nothing).
 */
function takeExclusiveLock(db: Database.Database, file: string): void {
  db.pragma('busy_timeout = 0');
  db.pragma('locking_mode = EXCLUSIVE');
  try {
    db.pragma('journal_mode = WAL');
    // The lock comes with the first access to the file; this read makes sure it is held now.
    db.prepare('SELECT count(*) AS n FROM sqlite_master').get();
  } catch (error) {
    if (!isBusy(error)) throw error;
    throw new Error(`SQLite database ${file} is in use by another server process: one server process owns a SQLite data directory; `
      + 'to run several instances, use PostgreSQL (DATABASE_URL)', { cause: error });
  }
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Statement>();
  #txOpen: Promise<void> | null = null;
  readonly #direct: SqlExecutor;

  constructor(file: string) {
    this.#db = new Database(file);
    try {
      takeExclusiveLock(this.#db, file);
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('foreign_keys = ON');
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#direct = {
      all: async (sql, params) => this.#prepare(sql).all(...bind(params)),
      get: async (sql, params) => this.#prepare(sql).get(...bind(params)),
      run: async (sql, params) => this.#prepare(sql).run(...bind(params)).changes,
    };
  }

  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[], Row>(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async all(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    // Inline loop, no helper: the check and the statement must run in the same microtask.
    while (this.#txOpen !== null) await this.#txOpen;
    return this.#prepare(sql).all(...bind(params));
  }

  async get(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    while (this.#txOpen !== null) await this.#txOpen;
    return this.#prepare(sql).get(...bind(params));
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    while (this.#txOpen !== null) await this.#txOpen;
    return this.#prepare(sql).run(...bind(params)).changes;
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    while (this.#txOpen !== null) await this.#txOpen;
    let release!: () => void;
    this.#txOpen = new Promise((resolve) => { release = resolve; });
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.#direct);
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        this.#db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.#txOpen = null;
      release();
    }
  }

  /** One statement once per parameter list, all in one transaction (batched check-in writes). */
  async runEach(sql: string, rows: ReadonlyArray<readonly SqlValue[]>): Promise<void> {
    while (this.#txOpen !== null) await this.#txOpen;
    // Synchronous from BEGIN to COMMIT: no microtask per row, and nothing else can run inside.
    const statement = this.#prepare(sql);
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const row of rows) statement.run(...bind(row));
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async exec(sql: string): Promise<void> {
    while (this.#txOpen !== null) await this.#txOpen;
    this.#db.exec(sql);
  }

  async close(): Promise<void> {
    while (this.#txOpen !== null) await this.#txOpen;
    this.#statements.clear();
    this.#db.close();
  }
}
