/** Helpers to cross-check our codec against mqtt-packet (the codec of mqtt.js and Aedes). */
import mqttPacket, { type Packet } from 'mqtt-packet';

export function generate(packet: Packet): Uint8Array {
  return new Uint8Array(mqttPacket.generate(packet, { protocolVersion: 4 }));
}

/** Parses bytes with mqtt-packet; returns the packets and any parse error. */
export function parseAll(bytes: Uint8Array): { packets: Packet[]; errors: Error[] } {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: Packet[] = [];
  const errors: Error[] = [];
  parser.on('packet', (p: Packet) => packets.push(p));
  parser.on('error', (e: Error) => errors.push(e));
  parser.parse(Buffer.from(bytes));
  return { packets, errors };
}

export function parseOne(bytes: Uint8Array): Packet {
  const { packets, errors } = parseAll(bytes);
  if (errors.length > 0) throw errors[0];
  if (packets.length !== 1) throw new Error(`expected one packet, got ${packets.length}`);
  return packets[0]!;
}

export const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (b) => parseInt(b, 16));
export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'utf8'));
