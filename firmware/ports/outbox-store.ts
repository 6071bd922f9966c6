/**
 * Persistent storage behind the store-and-forward outbox (design section 3 step 6). Owned by the
 * transport issue (#3). An append-only log of opaque records: the outbox (firmware/outbox)
 * decides what they mean; the store only keeps them, in order, across power cuts.
 *
 * Contract (test/contract/outbox-store.ts runs it on every implementation):
 * - `append(record)` stores a copy of 1..maxRecordBytes bytes (else throws ERR_OUTBOX_RECORD);
 *   it is durable when it returns.
 * - `readAll()` returns copies of every intact record in append order. After a power cut in the
 *   middle of an append, the records appended before it are all there, and the interrupted one
 *   is either wholly there or absent (a torn tail is detected and discarded, never returned).
 * - `rewrite(records)` replaces the whole log atomically: after a cut, readAll() returns either
 *   the old records or the new ones, never a mixture. The outbox compacts with it.
 * - `size()` is the bytes the log occupies (framing and superseded records included): the
 *   outbox compacts when it grows past its budget.
 * Hosts: Node on files (hosts/node/outbox-store-file.ts), tests and the simulator in memory
 * (hosts/node/outbox-store-memory.ts); ESP32 on a flash partition or file.
 */
export interface OutboxStorePort {
  /** Largest record `append` and `rewrite` accept. */
  readonly maxRecordBytes: number;
  /** Durable when it returns. */
  append(record: Uint8Array): void;
  /** All intact records in append order. */
  readAll(): Uint8Array[];
  /** Replace the whole log with `records` atomically (compaction after acks or thinning). */
  rewrite(records: readonly Uint8Array[]): void;
  /** Bytes currently used. */
  size(): number;
}
