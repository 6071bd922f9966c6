/**
 * Splits the incoming byte stream into packets: fixed header (OASIS MQTT 3.1.1 section 2.2),
 * remaining length, body. Bounded: a packet larger than the limit is refused before its body
 * is buffered, so a broker cannot make the device allocate without bound.
 */
import { decodeRemainingLength } from './varint.js';
import { protocolError } from './wire.js';

export interface Frame {
  type: number;
  /** Bits 3..0 of the first byte. */
  flags: number;
  body: Uint8Array;
}

export class FrameReader {
  readonly #maxPacketBytes: number;
  #buffer = new Uint8Array(0);
  #start = 0;
  #end = 0;

  constructor(maxPacketBytes: number) {
    this.#maxPacketBytes = maxPacketBytes;
  }

  push(chunk: Uint8Array): void {
    const waiting = this.#end - this.#start;
    if (this.#buffer.length - this.#end < chunk.length) {
      const grown = new Uint8Array(Math.max(waiting + chunk.length, this.#buffer.length * 2, 64));
      grown.set(this.#buffer.subarray(this.#start, this.#end));
      this.#buffer = grown;
      this.#start = 0;
      this.#end = waiting;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** The next complete packet, or undefined until more bytes arrive; throws ERR_MQTT_PROTOCOL. */
  next(): Frame | undefined {
    const available = this.#end - this.#start;
    if (available < 2) return undefined;
    const first = this.#buffer[this.#start]!;
    const type = first >> 4;
    // Section 2.2.1: types 0 and 15 are reserved (forbidden).
    if (type === 0 || type === 15) throw protocolError(`reserved packet type ${type}`);
    const length = decodeRemainingLength(this.#buffer.subarray(this.#start, this.#end), 1);
    if (length === undefined) return undefined;
    const total = 1 + length.size + length.value;
    if (total > this.#maxPacketBytes) throw protocolError(`packet of ${total} bytes exceeds the ${this.#maxPacketBytes}-byte limit`);
    if (available < total) return undefined;
    const bodyStart = this.#start + 1 + length.size;
    const body = this.#buffer.slice(bodyStart, this.#start + total);
    this.#start += total;
    if (this.#start === this.#end) {
      this.#start = 0;
      this.#end = 0;
    }
    return { type, flags: first & 0x0f, body };
  }
}
