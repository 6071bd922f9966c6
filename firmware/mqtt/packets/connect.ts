/** CONNECT (OASIS MQTT 3.1.1 section 3.1): client to server, the first packet of a connection. */
import { assertTopicName } from '../topic.js';
import { FirmwareError, binaryField, packet, PACKET, stringField, uint16 } from '../wire.js';
import type { ConnectPacket } from './types.js';

// Protocol name "MQTT" and level 4 (section 3.1.2.1-2).
const PROTOCOL = Uint8Array.of(0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04);

export function encodeConnect(p: ConnectPacket): Uint8Array {
  if (!Number.isInteger(p.keepAliveS) || p.keepAliveS < 0 || p.keepAliveS > 0xffff) {
    throw new FirmwareError('ERR_MQTT_PROTOCOL', `keep alive ${p.keepAliveS} s not in 0..65535`);
  }
  // [MQTT-3.1.3-7] a zero-byte client id requires clean session 1 (the server would refuse it).
  if (p.clientId.length === 0 && !p.cleanSession) throw new FirmwareError('ERR_MQTT_PROTOCOL', 'empty client id needs clean session [MQTT-3.1.3-7]');
  // [MQTT-3.1.2-22] no password without a user name.
  if (p.password !== undefined && p.username === undefined) throw new FirmwareError('ERR_MQTT_PROTOCOL', 'password without user name [MQTT-3.1.2-22]');
  let flags = 0;
  if (p.username !== undefined) flags |= 0x80; // [MQTT-3.1.2-19]
  if (p.password !== undefined) flags |= 0x40; // [MQTT-3.1.2-21]
  if (p.will !== undefined) {
    assertTopicName(p.will.topic);
    flags |= 0x04; // [MQTT-3.1.2-9] will flag, will topic and message in the payload
    flags |= p.will.qos << 3; // [MQTT-3.1.2-14] will QoS 0..2
    if (p.will.retain) flags |= 0x20; // [MQTT-3.1.2-17]
  } // else [MQTT-3.1.2-11] [MQTT-3.1.2-13] [MQTT-3.1.2-15]: will QoS and retain stay 0
  if (p.cleanSession) flags |= 0x02;
  // [MQTT-3.1.2-3] bit 0 is reserved and stays 0.
  const parts: Uint8Array[] = [PROTOCOL, Uint8Array.of(flags), uint16(p.keepAliveS)];
  // [MQTT-3.1.3-1] payload order: client id, will topic, will message, user name, password.
  parts.push(stringField(p.clientId)); // [MQTT-3.1.3-3]
  if (p.will !== undefined) parts.push(stringField(p.will.topic), binaryField(p.will.payload));
  if (p.username !== undefined) parts.push(stringField(p.username));
  if (p.password !== undefined) parts.push(binaryField(p.password));
  return packet(PACKET.CONNECT << 4, parts);
}
