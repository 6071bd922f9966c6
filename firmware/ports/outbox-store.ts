/**
 * Persistent storage behind the store-and-forward outbox. Owned by the transport issue (#3).
 * Append-only log of records; earlier records survive a crash at any write, and a torn tail
 * is detected and discarded on open.
 */
export interface OutboxStorePort {
  /** Durable when it returns. */
  append(record: Uint8Array): void;
  /** All intact records in append order. */
  readAll(): Uint8Array[];
  /** Replace the whole log with `records` atomically (compaction after acks or thinning). */
  rewrite(records: readonly Uint8Array[]): void;
  /** Bytes currently used. */
  size(): number;
}
