/** PUBLISH (OASIS MQTT 3.1.1 section 3.3), both directions; the client sends QoS 0 and 1. */
import type { Session } from '../session.js';
import { assertTopicName } from '../topic.js';
import { assertPacketId, BodyReader, packet, PACKET, protocolError, readPacketId, stringField, uint16 } from '../wire.js';
import { encodePuback } from './puback.js';
import type { PublishPacket } from './types.js';

export function encodePublish(p: PublishPacket): Uint8Array {
  assertTopicName(p.topic); // [MQTT-3.3.2-2] no wildcards in a topic name
  if (p.qos !== 0 && p.qos !== 1) throw protocolError(`the client publishes at QoS 0 or 1, not ${String(p.qos)}`);
  // [MQTT-3.3.1-2] DUP is 0 for every QoS 0 message.
  if (p.qos === 0 && p.dup) throw protocolError('DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]');
  // [MQTT-2.3.1-5] QoS 0 carries no packet identifier; QoS 1 must [MQTT-2.3.1-1].
  if (p.qos === 0 && p.packetId !== undefined) throw protocolError('packet identifier on a QoS 0 PUBLISH [MQTT-2.3.1-5]');
  const parts = [stringField(p.topic)];
  if (p.qos === 1) {
    assertPacketId(p.packetId ?? 0);
    parts.push(uint16(p.packetId!));
  }
  parts.push(p.payload);
  const first = (PACKET.PUBLISH << 4) | (p.dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 0x01 : 0);
  return packet(first, parts);
}

export function decodePublish(flags: number, body: Uint8Array): PublishPacket {
  const qos = (flags >> 1) & 3;
  // [MQTT-3.3.1-4] QoS bits 11 are malformed.
  if (qos === 3) throw protocolError('PUBLISH with QoS 3 [MQTT-3.3.1-4]');
  const dup = (flags & 0x08) !== 0;
  if (qos === 0 && dup) throw protocolError('DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]');
  const r = new BodyReader(body);
  const topic = r.string();
  // [MQTT-3.3.2-2] a topic name with wildcards is a protocol error; [MQTT-4.7.3-1] so is an empty one.
  if (topic.length === 0 || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) throw protocolError(`invalid topic name in PUBLISH [MQTT-3.3.2-2]`);
  const packetId = qos > 0 ? readPacketId(r) : undefined;
  const payload = r.rest();
  const out: PublishPacket = { type: 'publish', topic, payload, qos: qos as 0 | 1 | 2, retain: (flags & 1) !== 0, dup };
  if (packetId !== undefined) out.packetId = packetId;
  return out;
}

export function handlePublish(session: Session, p: PublishPacket): void {
  // [MQTT-3.8.4-6] the server delivers at most the granted QoS; the client subscribes at QoS <= 1.
  if (p.qos === 2) return session.fail(protocolError('QoS 2 PUBLISH to a client that never subscribes at QoS 2 [MQTT-3.8.4-6]'));
  const delivered = session.deliver(p.topic, p.payload, { retain: p.retain, dup: p.dup });
  // [MQTT-4.3.2-2] acknowledge a QoS 1 message with PUBACK once ownership is taken: only when
  // the application accepted it, so a refused one comes again after a reconnect.
  if (p.qos === 1 && delivered) session.send(encodePuback(p.packetId!));
}
