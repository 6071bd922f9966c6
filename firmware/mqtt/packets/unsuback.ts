/** UNSUBACK (OASIS MQTT 3.1.1 section 3.11): server to client. */
import type { Session } from '../session.js';
import { BodyReader, protocolError, readPacketId } from '../wire.js';
import type { UnsubackPacket } from './types.js';

export function decodeUnsuback(body: Uint8Array): UnsubackPacket {
  const r = new BodyReader(body);
  const packetId = readPacketId(r);
  r.end('UNSUBACK'); // section 3.11.1: remaining length 2
  return { type: 'unsuback', packetId };
}

export function handleUnsuback(session: Session, p: UnsubackPacket): void {
  // [MQTT-3.10.4-4] the UNSUBACK carries the id of the UNSUBSCRIBE.
  if (!session.settleRequest(p.packetId, 'unsubscribe')) session.fail(protocolError(`UNSUBACK for unknown id ${p.packetId}`));
}
