/**
 * An in-memory FirmwareSource with HTTP Range semantics (RFC 9110 section 14, protocols.md
 * section 6): 206 for a satisfiable range whose If-Range matches, 200 (whole image) when the
 * range is ignored or If-Range does not match, 416 past the end. Faults for tests: a connection
 * that drops after some bytes, a server that ignores Range, a missing file.
 */
import { FirmwareError } from '../../../firmware/index.js';
import type { FirmwareRead, FirmwareSource } from '../../../firmware/ota/source.js';

export interface HostedFile {
  bytes: Uint8Array;
  etag: string;
}

export interface MemorySourceOptions {
  /** Body chunk size (default 1500: crosses sector and write boundaries). */
  chunk?: number;
  /** Answer every Range request with 200. */
  ignoreRange?: boolean;
  /** Drop the connection after this many body bytes of each response (a flaky link). */
  dropAfter?: (requestIndex: number) => number | undefined;
}

export class MemorySource implements FirmwareSource {
  readonly files = new Map<string, HostedFile>();
  readonly requests: Array<{ path: string; offset: number; ifRange?: string; status: number }> = [];
  bytesServed = 0;
  readonly #options: MemorySourceOptions;

  constructor(options: MemorySourceOptions = {}) {
    this.#options = options;
  }

  host(path: string, bytes: Uint8Array, etag = `"${path.length}-${bytes.length}"`): void {
    this.files.set(path, { bytes, etag });
  }

  async read(path: string, offset: number, length?: number, ifRange?: string): Promise<FirmwareRead> {
    const file = this.files.get(path);
    const index = this.requests.length;
    if (file === undefined) {
      this.requests.push({ path, offset, status: 404 });
      throw new FirmwareError('ERR_HTTP_STATUS', `404 for ${path}`, { status: 404 });
    }
    const size = file.bytes.length;
    const rangeApplies = !this.#options.ignoreRange && offset > 0 && (ifRange === undefined || ifRange === file.etag);
    if (rangeApplies && offset >= size) {
      this.requests.push({ path, offset, ...(ifRange === undefined ? {} : { ifRange }), status: 416 });
      return { status: 416, complete: size };
    }
    const first = rangeApplies ? offset : 0;
    const last = length === undefined || !rangeApplies ? size - 1 : Math.min(size - 1, offset + length - 1);
    const status = rangeApplies ? 206 : 200;
    this.requests.push({ path, offset, ...(ifRange === undefined ? {} : { ifRange }), status });
    const body = this.#body(file.bytes.subarray(first, last + 1), this.#options.dropAfter?.(index));
    if (status === 206) return { status, etag: file.etag, first, last, complete: size, body };
    return { status, etag: file.etag, length: size, body };
  }

  async *#body(bytes: Uint8Array, dropAfter: number | undefined): AsyncGenerator<Uint8Array> {
    const chunk = this.#options.chunk ?? 1500;
    for (let at = 0; at < bytes.length; at += chunk) {
      const end = Math.min(at + chunk, bytes.length);
      if (dropAfter !== undefined && end > dropAfter) {
        if (dropAfter > at) {
          this.bytesServed += dropAfter - at;
          yield bytes.slice(at, dropAfter);
        }
        throw new FirmwareError('ERR_SOCKET_CLOSED', 'connection dropped (simulated)');
      }
      this.bytesServed += end - at;
      yield bytes.slice(at, end);
    }
  }
}
