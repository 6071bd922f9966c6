/**
 * Where the updater reads an image from: one narrow call with the status semantics of HTTP
 * Range (RFC 9110 section 14, protocols.md section 6). firmware/ota/http-source.ts backs it
 * with the firmware HTTP client; tests and the sweep use an in-memory source.
 */

/** A read from `offset`: 206 the asked range, 200 the whole image from byte 0, 416 nothing at or past the end. */
export type FirmwareRead =
  | { status: 200; etag?: string; length?: number; body: AsyncIterable<Uint8Array> }
  | { status: 206; etag?: string; first: number; last: number; complete?: number; body: AsyncIterable<Uint8Array> }
  | { status: 416; complete: number };

export interface FirmwareSource {
  /**
   * GET `path` with `Range: bytes=offset-` (or `offset-(offset+length-1)`), and `If-Range: ifRange`
   * when given (a strong ETag). Throws on transport errors and on statuses other than these three
   * (a FirmwareError: ERR_HTTP_STATUS carries `details.status`).
   */
  read(path: string, offset: number, length?: number, ifRange?: string): Promise<FirmwareRead>;
}
