/**
 * Map keys a decoder has met before, by their bytes.
 *
 * A decoder of many messages of one kind (the server's check-ins) meets the same few keys in
 * every message. Giving back the string it made the first time saves making a new one and, on
 * engines that intern property keys (V8), looking the new one up again when it becomes a
 * property name (on Node 20, a check-in decodes in 1.6 µs instead of 2.8).
 * Only ASCII keys are kept (any other text takes the decoder's UTF-8 path), one per slot of a
 * fixed table, so the cache holds at most KEY_SLOTS short strings however varied the input.
 *
 * Opt-in (decode's `keys` argument): the device decodes a few answers a day and keeps its RAM.
 */

/** Slots of the table: a power of two. */
const KEY_SLOTS = 256;

export class KeyCache {
  readonly #slots: (string | undefined)[] = [];

  /** The text of the ASCII bytes[start, end); undefined when a byte is not ASCII. */
  text(bytes: Uint8Array, start: number, end: number): string | undefined {
    let slot = end - start;
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (b >= 0x80) return undefined;
      slot = (slot * 31 + b) & (KEY_SLOTS - 1);
    }
    const known = this.#slots[slot];
    if (known !== undefined && known.length === end - start) {
      let i = 0;
      while (i < known.length && known.charCodeAt(i) === bytes[start + i]) i++;
      if (i === known.length) return known;
    }
    // ASCII is its own UTF-16. A key is shorter than 24 bytes (decoder), far below apply's limit.
    const made = String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
    this.#slots[slot] = made;
    return made;
  }
}
