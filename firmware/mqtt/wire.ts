/**
 * Field encodings shared by the packet modules (OASIS MQTT 3.1.1 sections 1.5 and 2.2):
 * big-endian uint16, length-prefixed UTF-8 strings and binary data, the fixed header, and a
 * bounds-checked reader that turns any overrun into ERR_MQTT_PROTOCOL.
 */
import { tryUtf8Decode, utf8EncodedLength, utf8EncodeInto } from '../codec/utf8.js';
import { FirmwareError } from '../errors.js';
import { encodeRemainingLength } from './varint.js';

// Re-exported for packets/*: XS resolves a single leading '../' per relative import, so
// '../../errors.js' from firmware/mqtt/packets/ does not link on the device (docs/esp32.md).
export { FirmwareError };

/** Packet type numbers (section 2.2.1). */
export const PACKET = Object.freeze({
  CONNECT: 1, CONNACK: 2, PUBLISH: 3, PUBACK: 4, PUBREC: 5, PUBREL: 6, PUBCOMP: 7,
  SUBSCRIBE: 8, SUBACK: 9, UNSUBSCRIBE: 10, UNSUBACK: 11, PINGREQ: 12, PINGRESP: 13, DISCONNECT: 14,
});

export function protocolError(detail: string): FirmwareError {
  return new FirmwareError('ERR_MQTT_PROTOCOL', detail);
}

/**
 * A UTF-8 encoded string field: 2-byte length then the bytes (section 1.5.3). Ill-formed
 * text [MQTT-1.5.3-1] and U+0000 [MQTT-1.5.3-2] are refused, as is anything over 65 535 bytes.
 */
export function stringField(text: string): Uint8Array {
  const n = utf8EncodedLength(text);
  if (n < 0) throw protocolError('unpaired surrogate in a string [MQTT-1.5.3-1]');
  if (n > 0xffff) throw protocolError('string longer than 65535 bytes');
  if (text.indexOf('\u0000') >= 0) throw protocolError('U+0000 in a string [MQTT-1.5.3-2]');
  const out = new Uint8Array(2 + n);
  out[0] = n >> 8;
  out[1] = n & 0xff;
  utf8EncodeInto(text, out, 2);
  return out;
}

/** Binary data field: 2-byte length then the bytes (section 1.5.5 style, used for will message and password). */
export function binaryField(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0xffff) throw protocolError('binary field longer than 65535 bytes');
  const out = new Uint8Array(2 + bytes.length);
  out[0] = bytes.length >> 8;
  out[1] = bytes.length & 0xff;
  out.set(bytes, 2);
  return out;
}

export function uint16(value: number): Uint8Array {
  return Uint8Array.of((value >> 8) & 0xff, value & 0xff);
}

/** Fixed header (section 2.2) followed by the variable header and payload parts. */
export function packet(firstByte: number, parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const remaining = encodeRemainingLength(length);
  const out = new Uint8Array(1 + remaining.length + length);
  out[0] = firstByte;
  out.set(remaining, 1);
  let at = 1 + remaining.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads the body of one packet; every overrun is a protocol error, never an exception of another kind. */
export class BodyReader {
  readonly #bytes: Uint8Array;
  #at = 0;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get remaining(): number {
    return this.#bytes.length - this.#at;
  }

  uint8(): number {
    if (this.remaining < 1) throw protocolError('packet body too short');
    return this.#bytes[this.#at++]!;
  }

  uint16(): number {
    if (this.remaining < 2) throw protocolError('packet body too short');
    const value = (this.#bytes[this.#at]! << 8) | this.#bytes[this.#at + 1]!;
    this.#at += 2;
    return value;
  }

  string(): string {
    const n = this.uint16();
    if (this.remaining < n) throw protocolError('string runs past the packet');
    const text = tryUtf8Decode(this.#bytes, this.#at, this.#at + n);
    if (text === undefined) throw protocolError('ill-formed UTF-8 string [MQTT-1.5.3-1]');
    if (text.indexOf('\u0000') >= 0) throw protocolError('U+0000 in a string [MQTT-1.5.3-2]');
    this.#at += n;
    return text;
  }

  /** The rest of the body (a copy: the caller may keep it). */
  rest(): Uint8Array {
    const out = this.#bytes.slice(this.#at);
    this.#at = this.#bytes.length;
    return out;
  }

  end(what: string): void {
    if (this.remaining !== 0) throw protocolError(`${this.remaining} unexpected bytes at the end of ${what}`);
  }
}

/** Packet identifier read from the wire: non-zero [MQTT-2.3.1-1]. */
export function readPacketId(reader: BodyReader): number {
  const id = reader.uint16();
  if (id === 0) throw protocolError('packet identifier 0 [MQTT-2.3.1-1]');
  return id;
}

export function assertPacketId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > 0xffff) throw protocolError(`packet identifier ${id} not in 1..65535 [MQTT-2.3.1-1]`);
}
