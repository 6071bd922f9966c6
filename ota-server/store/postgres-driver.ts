/**
 * pg behind the async SqlDriver. `schema` (default: the server's search_path) is set on every
 * pool connection through the startup `options`, so each connection sees the same tables; the
 * tests use it to give every test file a schema of its own. BIGINT columns come back as JS
 * numbers (ms timestamps and counters stay far below 2^53).
 */
import pg from 'pg';
import type { Row, SqlDriver, SqlExecutor, SqlValue } from './driver.js';

const INT8_OID = 20;
const placeholderCache = new Map<string, string>();

/** `?` to `$1..$n`; our statements never hold a literal question mark. */
function numbered(sql: string): string {
  let text = placeholderCache.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    placeholderCache.set(sql, text);
  }
  return text;
}

function bind(params: readonly SqlValue[] | undefined): unknown[] {
  if (params === undefined) return [];
  return params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    all: async (sql, params) => (await client.query<Row>(numbered(sql), bind(params))).rows,
    get: async (sql, params) => (await client.query<Row>(numbered(sql), bind(params))).rows[0],
    run: async (sql, params) => (await client.query(numbered(sql), bind(params))).rowCount ?? 0,
  };
}

export function isSafeSchemaName(schema: string): boolean {
  return /^[a-z_][a-z0-9_]{0,62}$/.test(schema);
}

export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #direct: SqlExecutor;

  constructor(connectionString: string, options: { schema?: string; max?: number } = {}) {
    if (options.schema !== undefined && !isSafeSchemaName(options.schema)) throw new Error(`unsafe schema name ${options.schema}`);
    this.#pool = new pg.Pool({
      connectionString,
      max: options.max ?? 10,
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client that errors (server restart) must not crash the process; the pool drops it.
    this.#pool.on('error', () => {});
    this.#direct = executor(this.#pool);
  }

  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]> { return this.#direct.all(sql, params); }
  get(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> { return this.#direct.get(sql, params); }
  run(sql: string, params?: readonly SqlValue[]): Promise<number> { return this.#direct.run(sql, params); }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    } finally {
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.#pool.query(sql);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
