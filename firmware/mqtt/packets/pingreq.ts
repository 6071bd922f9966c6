/** PINGREQ (OASIS MQTT 3.1.1 section 3.12): keeps the connection alive when nothing else is sent. */
import { PACKET } from '../wire.js';

const PINGREQ = Object.freeze([PACKET.PINGREQ << 4, 0x00]);

export function encodePingreq(): Uint8Array {
  return Uint8Array.from(PINGREQ);
}
