/**
 * OutboxStorePort on files, for the Node host: an append-only log that survives a power cut at
 * any write.
 *
 * Layout: `<dir>/outbox.log` = magic "OBX1", then frames [u32le length][u32le CRC-32 of (length
 * bytes ++ payload)][payload]. The CRC covers the length so that a zero-filled or torn tail never
 * passes as a record (CRC-32 of nothing is 0, of four zero bytes is not). On open, frames are
 * read until the first one that runs past the end, has length 0 or above the limit, or fails its
 * CRC: that is the torn tail of an interrupted append. It is discarded and the file truncated to
 * the last good frame, so later appends never sit behind garbage. (A CRC failure in the middle
 * from bit rot also ends the log there: frames cannot be resynchronised safely.)
 *
 * Append writes one frame at the end and fsyncs. If the write fails part-way (ENOSPC, EIO) the
 * file is truncated back before the error is rethrown. Rewrite (compaction) writes
 * `outbox.log.tmp`, fsyncs it, renames it over the log (atomic on POSIX) and fsyncs the folder;
 * a leftover tmp file from a cut is removed at open.
 *
 * The file-system calls go through `OutboxFs` so that the crash test can cut power at byte N
 * of any write (test/unit/hosts/node/outbox-store-file.test.ts).
 */
import nodeFs from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { FirmwareError, type OutboxStorePort } from '../../firmware/index.js';

/** The synchronous node:fs calls the store uses. */
export interface OutboxFs {
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  readFileSync(path: string): Uint8Array;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  existsSync(path: string): boolean;
  mkdirSync(path: string, options: { recursive: true }): unknown;
}

export interface FileOutboxStoreOptions {
  fs?: OutboxFs;
  maxRecordBytes?: number;
}

const MAGIC = new Uint8Array([0x4f, 0x42, 0x58, 0x31]); // "OBX1"
const HEADER = 8;
const LOG = 'outbox.log';
const TMP = 'outbox.log.tmp';

function frame(record: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + record.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, record.length, true);
  out.set(record, HEADER);
  view.setUint32(4, crc32(out.subarray(HEADER), crc32(out.subarray(0, 4))), true);
  return out;
}

/** Intact records of a log file's bytes and where the intact part ends. */
export function scanLog(bytes: Uint8Array, maxRecordBytes: number): { records: Uint8Array[]; end: number } {
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new FirmwareError('ERR_OUTBOX_CORRUPT', 'outbox log has no OBX1 header');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let at = MAGIC.length;
  while (at + HEADER <= bytes.length) {
    const length = view.getUint32(at, true);
    if (length === 0 || length > maxRecordBytes || at + HEADER + length > bytes.length) break;
    const payload = bytes.subarray(at + HEADER, at + HEADER + length);
    if (crc32(payload, crc32(bytes.subarray(at, at + 4))) !== view.getUint32(at + 4, true)) break;
    records.push(new Uint8Array(payload));
    at += HEADER + length;
  }
  return { records, end: at };
}

export interface FileOutboxStorePort extends OutboxStorePort {
  /** Releases the file descriptor (a later call reopens it). */
  close(): void;
}

export function openFileOutboxStore(dir: string, options: FileOutboxStoreOptions = {}): FileOutboxStorePort {
  return new FileOutboxStore(dir, options.fs ?? (nodeFs as unknown as OutboxFs), options.maxRecordBytes ?? 4096);
}

class FileOutboxStore implements FileOutboxStorePort {
  readonly maxRecordBytes: number;
  readonly #fs: OutboxFs;
  readonly #dir: string;
  readonly #log: string;
  readonly #tmp: string;
  #fd = -1;
  #end = 0;
  #records: Uint8Array[] = [];

  constructor(dir: string, fs: OutboxFs, maxRecordBytes: number) {
    this.maxRecordBytes = maxRecordBytes;
    this.#fs = fs;
    this.#dir = dir;
    this.#log = join(dir, LOG);
    this.#tmp = join(dir, TMP);
    this.#open();
  }

  #open(): void {
    const fs = this.#fs;
    fs.mkdirSync(this.#dir, { recursive: true });
    if (fs.existsSync(this.#tmp)) fs.unlinkSync(this.#tmp);
    if (!fs.existsSync(this.#log)) this.#install([]);
    const bytes = fs.readFileSync(this.#log);
    const { records, end } = scanLog(bytes, this.maxRecordBytes);
    this.#fd = fs.openSync(this.#log, 'r+');
    if (end < bytes.length) {
      fs.ftruncateSync(this.#fd, end); // discard the torn tail
      fs.fsyncSync(this.#fd);
    }
    this.#records = records;
    this.#end = end;
  }

  /** Writes a complete log to the tmp file and renames it into place. */
  #install(records: readonly Uint8Array[]): void {
    const fs = this.#fs;
    const parts = [MAGIC, ...records.map(frame)];
    const total = parts.reduce((n, p) => n + p.length, 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of parts) { bytes.set(p, at); at += p.length; }
    const fd = fs.openSync(this.#tmp, 'w');
    try {
      writeFully(fs, fd, bytes, 0);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(this.#tmp, this.#log);
    const dirFd = fs.openSync(this.#dir, 'r');
    try { fs.fsyncSync(dirFd); } finally { fs.closeSync(dirFd); }
  }

  #check(record: Uint8Array): void {
    if (!(record instanceof Uint8Array) || record.length === 0 || record.length > this.maxRecordBytes) {
      throw new FirmwareError('ERR_OUTBOX_RECORD', `${record instanceof Uint8Array ? record.length : typeof record} bytes (1..${this.maxRecordBytes})`);
    }
  }

  #ensureOpen(): void {
    if (this.#fd < 0) this.#open(); // after a failed write: rescan from what is on disk
  }

  append(record: Uint8Array): void {
    this.#check(record);
    this.#ensureOpen();
    const bytes = frame(record);
    try {
      writeFully(this.#fs, this.#fd, bytes, this.#end);
      this.#fs.fsyncSync(this.#fd);
    } catch (error) {
      this.#recover(this.#end);
      throw error;
    }
    this.#end += bytes.length;
    this.#records.push(new Uint8Array(record));
  }

  /** After a failed write: cut the partial frame off, or reopen from disk next time. */
  #recover(end: number): void {
    try {
      this.#fs.ftruncateSync(this.#fd, end);
      this.#fs.fsyncSync(this.#fd);
    } catch {
      try { this.#fs.closeSync(this.#fd); } catch { /* already unusable */ }
      this.#fd = -1;
    }
  }

  readAll(): Uint8Array[] {
    this.#ensureOpen();
    return this.#records.map((r) => new Uint8Array(r));
  }

  rewrite(records: readonly Uint8Array[]): void {
    for (const record of records) this.#check(record);
    if (this.#fd >= 0) { this.#fs.closeSync(this.#fd); this.#fd = -1; }
    this.#install(records);
    this.#open();
  }

  size(): number {
    this.#ensureOpen();
    return this.#end;
  }

  close(): void {
    if (this.#fd >= 0) this.#fs.closeSync(this.#fd);
    this.#fd = -1;
  }
}

function writeFully(fs: OutboxFs, fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}
