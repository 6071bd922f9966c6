/**
 * Remaining length of the MQTT fixed header (OASIS MQTT 3.1.1 section 2.2.3): 7 bits per byte,
 * least significant group first, bit 7 set while more bytes follow, 1 to 4 bytes.
 */
import { FirmwareError } from '../errors.js';

/** 268 435 455: the largest value four bytes can hold (section 2.2.3). */
export const MAX_REMAINING_LENGTH = 0x0fffffff;

export function encodeRemainingLength(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > MAX_REMAINING_LENGTH) {
    throw new FirmwareError('ERR_MQTT_PROTOCOL', `remaining length ${value} out of range`);
  }
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return Uint8Array.from(out);
}

/**
 * Decodes the remaining length at `offset`. Undefined when more bytes are needed; throws
 * ERR_MQTT_PROTOCOL when a fifth byte would be needed (section 2.2.3: at most four).
 */
export function decodeRemainingLength(bytes: Uint8Array, offset: number): { value: number; size: number } | undefined {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 4; i++) {
    if (offset + i >= bytes.length) return undefined;
    const byte = bytes[offset + i]!;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { value, size: i + 1 };
    multiplier *= 128;
  }
  throw new FirmwareError('ERR_MQTT_PROTOCOL', 'remaining length longer than 4 bytes');
}
