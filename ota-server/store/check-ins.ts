/**
 * Check-in status writes (Store.recordCheckIns): batches of up to a whole fleet's check-ins.
 *
 * A device deleted since it checked in is skipped, not an error: the batch is one transaction,
 * and one gone device must not lose everyone else's status (nor, through the foreign key, fail
 * it). A device named twice keeps its last entry.
 *
 * SQLite: one statement per entry (runEach), in order, so the last entry wins; in process,
 * that is as fast as any one-statement form. SQLite has one writer, whose statements never
 * interleave.
 *
 * PostgreSQL: one statement per chunk, its rows bound as one JSON array (json_to_recordset);
 * one statement per row cost a network round trip each. JSON.stringify encodes a batch about
 * twice as fast as pg encodes three text/bigint arrays for unnest(), and a `json` value keeps
 * its input text, so each status is stored exactly as JSON.stringify wrote it, as on SQLite.
 * An upsert may not touch a row twice, so entries are reduced to the last per device before
 * chunking, and sorted by device so that instances writing overlapping batches lock rows in
 * one order. Several chunks share one transaction. Another instance may delete a device
 * between the EXISTS and the foreign-key check; the key-share lock makes that delete wait, or
 * the EXISTS see the device gone.
 */
import type { SqlDriver } from './driver.js';
import { SqliteDriver } from './sqlite-driver.js';
import type { CheckInEntry } from './types.js';

const UPDATE = 'ON CONFLICT (device_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, status = excluded.status';

const SQLITE_UPSERT = `INSERT INTO device_status (device_id, last_seen_at, status)
  SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM devices WHERE id = ?)
  ${UPDATE}`;

const POSTGRES_UPSERT = `INSERT INTO device_status (device_id, last_seen_at, status)
  SELECT d, t, s::text FROM json_to_recordset(?::json) AS b(d text, t bigint, s json)
  WHERE EXISTS (SELECT 1 FROM devices WHERE id = b.d FOR KEY SHARE)
  ${UPDATE}`;

/** Rows per PostgreSQL statement: bounds one message (a few MB of status) for huge batches. */
export const POSTGRES_CHUNK_ROWS = 5000;

/** The last entry of each device, ordered by device id. */
export function lastPerDevice(entries: ReadonlyArray<CheckInEntry>): CheckInEntry[] {
  const last = new Map<string, CheckInEntry>();
  for (const e of entries) last.set(e.deviceId, e);
  return [...last.values()].sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}

export async function writeCheckIns(db: SqlDriver, entries: ReadonlyArray<CheckInEntry>, chunkRows = POSTGRES_CHUNK_ROWS): Promise<void> {
  if (entries.length === 0) return;
  if (db instanceof SqliteDriver) {
    const params = (e: CheckInEntry) => [e.deviceId, e.atMs, JSON.stringify(e.status), e.deviceId];
    if (entries.length === 1) await db.run(SQLITE_UPSERT, params(entries[0]!));
    else await db.runEach(SQLITE_UPSERT, entries.map(params));
    return;
  }
  const rows = lastPerDevice(entries);
  const json = (chunk: CheckInEntry[]) => [JSON.stringify(chunk.map((e) => ({ d: e.deviceId, t: e.atMs, s: e.status })))];
  if (rows.length <= chunkRows) {
    await db.run(POSTGRES_UPSERT, json(rows));
    return;
  }
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += chunkRows) await tx.run(POSTGRES_UPSERT, json(rows.slice(i, i + chunkRows)));
  });
}
