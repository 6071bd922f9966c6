/**
 * OutboxStorePort in memory, for tests and the simulator: the strict reference of the contract
 * (copies in and out, size limits enforced, sizes counted as the file store frames them). It
 * persists across "reboots" of a simulated node when the same instance is handed to the new node.
 */
import { FirmwareError, type OutboxStorePort } from '../../firmware/index.js';

/** Per-record framing the file store uses (length + CRC-32), so budgets behave alike. */
export const FRAME_OVERHEAD_BYTES = 8;

export interface MemoryOutboxStore extends OutboxStorePort {
  /** Mutating calls so far (append and rewrite): tests count flash wear with it. */
  readonly writes: number;
}

export function createMemoryOutboxStore(options: { maxRecordBytes?: number } = {}): MemoryOutboxStore {
  const maxRecordBytes = options.maxRecordBytes ?? 4096;
  let records: Uint8Array[] = [];
  let bytes = 0;
  let writes = 0;
  const check = (record: Uint8Array): void => {
    if (!(record instanceof Uint8Array) || record.length === 0 || record.length > maxRecordBytes) {
      throw new FirmwareError('ERR_OUTBOX_RECORD', `${record instanceof Uint8Array ? record.length : typeof record} bytes (1..${maxRecordBytes})`);
    }
  };
  return {
    maxRecordBytes,
    get writes() { return writes; },
    append(record) {
      check(record);
      records.push(new Uint8Array(record));
      bytes += record.length + FRAME_OVERHEAD_BYTES;
      writes++;
    },
    readAll: () => records.map((r) => new Uint8Array(r)),
    rewrite(next) {
      for (const record of next) check(record);
      records = next.map((r) => new Uint8Array(r));
      bytes = records.reduce((sum, r) => sum + r.length + FRAME_OVERHEAD_BYTES, 0);
      writes++;
    },
    size: () => bytes,
  };
}
