/**
 * Response body framing (RFC 9112 6.3): Content-Length, chunked (RFC 9112 7.1) or until the
 * connection closes. Each reader hands out the body in pieces as they arrive.
 */
import { FirmwareError } from '../errors.js';

/** Buffered bytes in front of the connection: what is left after the head, then more reads. */
export interface Source {
  /** Next bytes (at most `max`), undefined at the end of the stream. */
  next(max: number): Promise<Uint8Array | undefined>;
  /** Puts bytes back in front (the reader took more than it used). */
  unread(bytes: Uint8Array): void;
}

export type BodyReader = () => Promise<Uint8Array | undefined>;

const protocolError = (detail: string): FirmwareError => new FirmwareError('ERR_HTTP_PROTOCOL', detail);
const PIECE = 4096;

export function emptyBody(): BodyReader {
  return () => Promise.resolve(undefined);
}

export function lengthBody(source: Source, length: number): BodyReader {
  let left = length;
  return async () => {
    if (left === 0) return undefined;
    const bytes = await source.next(Math.min(left, PIECE));
    if (bytes === undefined) throw protocolError(`body ended ${left} bytes before its Content-Length`);
    left -= bytes.length;
    return bytes;
  };
}

export function untilCloseBody(source: Source): BodyReader {
  return () => source.next(PIECE);
}

/** Reads one CRLF-terminated line of at most `limit` bytes (chunk-size lines, trailers). */
async function readLine(source: Source, limit: number, what: string): Promise<string> {
  let line = '';
  for (;;) {
    const bytes = await source.next(limit + 2 - line.length);
    if (bytes === undefined) throw protocolError(`stream ended inside a ${what}`);
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 10) {
        if (!line.endsWith('\r')) throw protocolError(`bare LF in a ${what}`);
        if (i + 1 < bytes.length) source.unread(bytes.subarray(i + 1));
        return line.slice(0, -1);
      }
      line += String.fromCharCode(bytes[i]!);
    }
    // `line` may end with the CR of a CRLF whose LF has not arrived yet.
    if (line.length > limit + 1 || (line.length === limit + 1 && !line.endsWith('\r'))) throw protocolError(`${what} longer than ${limit} bytes`);
  }
}

/**
 * chunked-body = *chunk last-chunk trailer-section CRLF; chunk = chunk-size [ chunk-ext ] CRLF
 * chunk-data CRLF (RFC 9112 7.1). Extensions are ignored (7.1.1), trailers read and discarded
 * within `trailerLimit` bytes (7.1.2).
 */
export function chunkedBody(source: Source, trailerLimit: number): BodyReader {
  let left = 0;
  let done = false;
  return async () => {
    if (done) return undefined;
    if (left === 0) {
      const line = await readLine(source, 256, 'chunk size line');
      const m = /^([0-9A-Fa-f]{1,8})[ \t]*(;.*)?$/.exec(line);
      if (m === null) throw protocolError(`bad chunk size line ${JSON.stringify(line.slice(0, 40))}`);
      left = parseInt(m[1]!, 16);
      if (left === 0) {
        let trailers = 0;
        for (;;) {
          const trailer = await readLine(source, trailerLimit, 'trailer section');
          if (trailer.length === 0) break;
          trailers += trailer.length + 2;
          if (trailers > trailerLimit) throw new FirmwareError('ERR_HTTP_HEADERS_TOO_LARGE', 'trailer section');
        }
        done = true;
        return undefined;
      }
    }
    const bytes = await source.next(Math.min(left, PIECE));
    if (bytes === undefined) throw protocolError('stream ended inside a chunk');
    left -= bytes.length;
    if (left === 0) {
      const end = await readLine(source, 0, 'chunk end');
      if (end.length !== 0) throw protocolError('chunk data longer than its size');
    }
    return bytes;
  };
}
