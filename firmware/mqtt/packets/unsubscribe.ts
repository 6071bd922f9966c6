/** UNSUBSCRIBE (OASIS MQTT 3.1.1 section 3.10): client to server. */
import { assertTopicFilter } from '../topic.js';
import { assertPacketId, packet, PACKET, protocolError, stringField, uint16 } from '../wire.js';
import type { UnsubscribePacket } from './types.js';

export function encodeUnsubscribe(p: UnsubscribePacket): Uint8Array {
  assertPacketId(p.packetId);
  // [MQTT-3.10.3-2] at least one topic filter.
  if (p.filters.length === 0) throw protocolError('UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]');
  const parts = [uint16(p.packetId)];
  for (const filter of p.filters) {
    assertTopicFilter(filter);
    parts.push(stringField(filter)); // [MQTT-3.10.3-1]
  }
  // [MQTT-3.10.1-1] fixed header flags 0010.
  return packet((PACKET.UNSUBSCRIBE << 4) | 0x02, parts);
}
