/**
 * DISCONNECT (OASIS MQTT 3.1.1 section 3.14): the clean end of a connection. The server then
 * discards the will without publishing it [MQTT-3.1.2-10]; the client closes the connection
 * after sending it [MQTT-3.14.4-1] and sends nothing more [MQTT-3.14.4-2].
 */
import { PACKET } from '../wire.js';

const DISCONNECT = Object.freeze([PACKET.DISCONNECT << 4, 0x00]);

export function encodeDisconnect(): Uint8Array {
  return Uint8Array.from(DISCONNECT);
}
