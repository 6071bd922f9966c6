/**
 * FirmwareSource over the firmware HTTP client (firmware/http, RFC 9110 Range): GET with
 * `Range: bytes=offset-` and `If-Range` (strong ETags only), the answer classified by
 * firmware/http/range.ts before a byte reaches the updater.
 */
import { isFirmwareError } from '../errors.js';
import type { HttpClient, HttpRequest } from '../http/client.js';
import { requestRange } from '../http/range.js';
import type { FirmwareRead, FirmwareSource } from './source.js';

export interface HttpFirmwareSourceOptions {
  client: HttpClient;
  host: string;
  port?: number;
  tls?: HttpRequest['tls'];
  /** Extra request headers, e.g. the device's Authorization. */
  headers?: Readonly<Record<string, string>>;
  idleTimeoutMs?: number;
  totalTimeoutMs?: number;
}

export function createHttpFirmwareSource(options: HttpFirmwareSourceOptions): FirmwareSource {
  return {
    async read(path: string, offset: number, length?: number, ifRange?: string): Promise<FirmwareRead> {
      const request: Omit<HttpRequest, 'method' | 'body'> = {
        host: options.host,
        path,
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.tls === undefined ? {} : { tls: options.tls }),
        ...(options.headers === undefined ? {} : { headers: options.headers }),
        ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
        ...(options.totalTimeoutMs === undefined ? {} : { totalTimeoutMs: options.totalTimeoutMs }),
      };
      const range = length === undefined ? { first: offset } : { first: offset, last: offset + length - 1 };
      let result: Awaited<ReturnType<typeof requestRange>>;
      try {
        result = await requestRange(options.client, request, range, ifRange === undefined ? {} : { etag: ifRange });
      } catch (error) {
        // 416 whose */complete is not our offset: nothing there, the image is shorter than asked.
        const complete = isFirmwareError(error, 'ERR_HTTP_RANGE') ? error.details?.complete : undefined;
        if (typeof complete === 'number') return { status: 416, complete };
        throw error;
      }
      const { response, outcome } = result;
      const etag = response.headers.get('etag');
      const tag = etag === undefined ? {} : { etag };
      switch (outcome.kind) {
        case 'complete':
          return { status: 416, complete: outcome.length };
        case 'partial':
          return { status: 206, ...tag, first: outcome.first, last: outcome.last, ...(outcome.complete === undefined ? {} : { complete: outcome.complete }), body: response };
        case 'full':
          return { status: 200, ...tag, ...(outcome.length === undefined ? {} : { length: outcome.length }), body: response };
      }
    },
  };
}
