/** PUBACK (OASIS MQTT 3.1.1 section 3.4): acknowledges a QoS 1 PUBLISH, both directions. */
import type { Session } from '../session.js';
import { assertPacketId, BodyReader, packet, PACKET, readPacketId, uint16 } from '../wire.js';
import type { PubackPacket } from './types.js';

export function encodePuback(packetId: number): Uint8Array {
  assertPacketId(packetId);
  // [MQTT-2.3.1-6] PUBACK carries the identifier of the PUBLISH it acknowledges.
  return packet(PACKET.PUBACK << 4, [uint16(packetId)]);
}

export function decodePuback(body: Uint8Array): PubackPacket {
  const r = new BodyReader(body);
  const packetId = readPacketId(r);
  r.end('PUBACK'); // section 3.4.1: remaining length 2
  return { type: 'puback', packetId };
}

export function handlePuback(session: Session, p: PubackPacket): void {
  // An unknown id is ignored: after a reconnect a broker may acknowledge a resent message twice.
  session.acknowledge(p.packetId);
}
