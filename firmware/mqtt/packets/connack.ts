/** CONNACK (OASIS MQTT 3.1.1 section 3.2): the server's answer to CONNECT. */
import type { Session } from '../session.js';
import { FirmwareError, BodyReader, protocolError } from '../wire.js';
import type { ConnackPacket } from './types.js';

/** Return codes of section 3.2.2.3, for logs and docs. */
export const CONNACK_RETURN_CODES: Readonly<Record<number, string>> = Object.freeze({
  0: 'accepted',
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
});

export function decodeConnack(body: Uint8Array): ConnackPacket {
  const r = new BodyReader(body);
  const ack = r.uint8();
  // Section 3.2.2.1: bits 7-1 of the acknowledge flags are reserved and 0.
  if ((ack & 0xfe) !== 0) throw protocolError('reserved CONNACK flag bits set');
  const returnCode = r.uint8();
  r.end('CONNACK');
  return { type: 'connack', sessionPresent: (ack & 1) === 1, returnCode };
}

export function handleConnack(session: Session, p: ConnackPacket): void {
  // [MQTT-3.2.0-1] CONNACK comes once, first; a second one is a violation.
  if (session.connected) return session.fail(protocolError('second CONNACK'));
  if (p.returnCode !== 0) {
    // [MQTT-3.2.2-4] a refusal carries session present 0.
    if (p.sessionPresent) return session.fail(protocolError('refusing CONNACK with session present [MQTT-3.2.2-4]'));
    const reason = CONNACK_RETURN_CODES[p.returnCode] ?? 'reserved return code';
    return session.fail(new FirmwareError('ERR_MQTT_CONNACK_REFUSED', `${p.returnCode} ${reason}`, { returnCode: p.returnCode }));
  }
  session.accepted(p.sessionPresent);
}
