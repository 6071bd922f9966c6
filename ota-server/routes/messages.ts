/**
 * Device messages (check-in, provisioning) arrive as CBOR or JSON and are decoded and
 * validated by the firmware core's own codec, so the server accepts exactly what the device
 * definition allows. Used by the routes that take them, inside their encapsulated plugins.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatOf, type MessageFormat } from '../core.js';

export const MESSAGE_TYPES = ['application/cbor', 'application/json'];

/**
 * In this plugin's scope, CBOR and JSON are decoded by the firmware codec and nothing else is
 * accepted (415): a route whose body schema is keyed by media type would not validate a body
 * of another type at all.
 */
export function useMessageParser(app: FastifyInstance, bodyLimit: number, decode: (bytes: Uint8Array, format: MessageFormat) => unknown): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(MESSAGE_TYPES, { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    try {
      done(null, decode(body as Buffer, headerFormat(request.headers['content-type']) ?? 'json'));
    } catch (error) {
      done(error as Error);
    }
  });
}

/** The answer format: what Accept names, else the request's own format. */
export function answerFormat(headers: IncomingHttpHeaders): MessageFormat {
  const accept = headers.accept;
  if (accept === 'application/cbor') return 'cbor';
  if (accept !== undefined) {
    for (const part of accept.split(',')) {
      const format = formatOf(part);
      if (format !== undefined) return format;
    }
  }
  return headerFormat(headers['content-type']) ?? 'json';
}

/** formatOf, without its split for the exact type devices send. */
function headerFormat(value: string | undefined): MessageFormat | undefined {
  return value === 'application/cbor' ? 'cbor' : formatOf(value);
}

/** The Content-Type of an answer in `format`. */
export function messageType(format: MessageFormat): string {
  return format === 'cbor' ? 'application/cbor' : 'application/json; charset=utf-8';
}

/** The encoded message as a Buffer over the same memory (no copy). */
function messageBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function sendMessage(reply: FastifyReply, format: MessageFormat, bytes: Uint8Array): FastifyReply {
  return reply.type(messageType(format)).send(messageBuffer(bytes));
}
