/**
 * The check-in body decoder of both paths (the Fastify route and direct.ts): the shared
 * message definition, with one KeyCache for the whole process, since every check-in carries
 * the same keys (firmware/codec/key-cache.ts).
 */
import { decodeCheckIn, KeyCache, type CheckInRequest, type MessageFormat } from '../../core.js';

const keys = new KeyCache();

export function decodeCheckInBody(bytes: Uint8Array, format: MessageFormat): CheckInRequest {
  return decodeCheckIn(bytes, format, keys);
}
