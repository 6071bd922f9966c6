/**
 * The little SQL both engines share. Statements are written once with `?` placeholders in the
 * common subset of SQLite (>= 3.35: RETURNING, ON CONFLICT, partial indexes) and PostgreSQL;
 * the pg driver renumbers them to `$n`. Values are strings, finite numbers, null or bytes.
 */
export type SqlValue = string | number | null | Uint8Array;
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  get(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs fn in one transaction; nothing else touches the connection meanwhile (sqlite). */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** True when a driver error is a unique-constraint violation (both engines). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown } | null;
  return e !== null && typeof e === 'object' && (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === '23505');
}
