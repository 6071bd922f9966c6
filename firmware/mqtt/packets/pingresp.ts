/** PINGRESP (OASIS MQTT 3.1.1 section 3.13): the server's answer to PINGREQ [MQTT-3.12.4-1]. */
import type { Session } from '../session.js';
import { BodyReader } from '../wire.js';
import type { PingrespPacket } from './types.js';

export function decodePingresp(body: Uint8Array): PingrespPacket {
  new BodyReader(body).end('PINGRESP'); // section 3.13.1: remaining length 0
  return { type: 'pingresp' };
}

export function handlePingresp(session: Session, _p: PingrespPacket): void {
  session.pingAnswered();
}
