/** SUBSCRIBE (OASIS MQTT 3.1.1 section 3.8): client to server. */
import { assertTopicFilter } from '../topic.js';
import { assertPacketId, packet, PACKET, protocolError, stringField, uint16 } from '../wire.js';
import type { SubscribePacket } from './types.js';

export function encodeSubscribe(p: SubscribePacket): Uint8Array {
  assertPacketId(p.packetId);
  // [MQTT-3.8.3-3] at least one topic filter / QoS pair.
  if (p.subscriptions.length === 0) throw protocolError('SUBSCRIBE without a topic filter [MQTT-3.8.3-3]');
  const parts = [uint16(p.packetId)];
  for (const s of p.subscriptions) {
    assertTopicFilter(s.filter); // [MQTT-3.8.3-1] a UTF-8 topic filter
    // [MQTT-3.8.3-4] requested QoS 0..2 with the upper six bits zero (the client asks for 0 or 1).
    if (s.qos !== 0 && s.qos !== 1) throw protocolError(`requested QoS ${String(s.qos)}`);
    parts.push(stringField(s.filter), Uint8Array.of(s.qos));
  }
  // [MQTT-3.8.1-1] fixed header flags 0010.
  return packet((PACKET.SUBSCRIBE << 4) | 0x02, parts);
}
