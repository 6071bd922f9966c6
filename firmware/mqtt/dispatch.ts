/**
 * The dispatcher (in the style of Aedes lib/handlers/): one entry per packet type a server may
 * send, each with its fixed-header flags, its decoder and its handler. Handlers get the narrow
 * Session only.
 */
import { FirmwareError, isFirmwareError } from '../errors.js';
import type { Frame } from './frame.js';
import { decodeConnack, handleConnack } from './packets/connack.js';
import { decodePingresp, handlePingresp } from './packets/pingresp.js';
import { decodePuback, handlePuback } from './packets/puback.js';
import { decodePublish, handlePublish } from './packets/publish.js';
import { decodeSuback, handleSuback } from './packets/suback.js';
import type { IncomingPacket } from './packets/types.js';
import { decodeUnsuback, handleUnsuback } from './packets/unsuback.js';
import type { Session } from './session.js';
import { PACKET, protocolError } from './wire.js';

interface Entry {
  /** Required flag bits (section 2.2.2, Table 2.2); undefined: PUBLISH, whose flags carry DUP/QoS/RETAIN. */
  flags: number | undefined;
  decode(flags: number, body: Uint8Array): IncomingPacket;
  handle(session: Session, packet: IncomingPacket): void;
}

// Handler parameter types are narrowed per entry; the table pairs each decoder with its handler.
const entry = <P extends IncomingPacket>(flags: number | undefined, decode: (f: number, b: Uint8Array) => P, handle: (s: Session, p: P) => void): Entry =>
  ({ flags, decode, handle: handle as (s: Session, p: IncomingPacket) => void });

const HANDLERS: Readonly<Record<number, Entry>> = Object.freeze({
  [PACKET.CONNACK]: entry(0, (_f, b) => decodeConnack(b), handleConnack),
  [PACKET.PUBLISH]: entry(undefined, decodePublish, handlePublish),
  [PACKET.PUBACK]: entry(0, (_f, b) => decodePuback(b), handlePuback),
  [PACKET.SUBACK]: entry(0, (_f, b) => decodeSuback(b), handleSuback),
  [PACKET.UNSUBACK]: entry(0, (_f, b) => decodeUnsuback(b), handleUnsuback),
  [PACKET.PINGRESP]: entry(0, (_f, b) => decodePingresp(b), handlePingresp),
});

/** Decodes one frame from a server; throws ERR_MQTT_PROTOCOL for anything a server may not send. */
export function decodePacket(frame: Frame): IncomingPacket {
  const e = Object.prototype.hasOwnProperty.call(HANDLERS, frame.type) ? HANDLERS[frame.type] : undefined;
  if (e === undefined) throw protocolError(`packet type ${frame.type} is not sent to clients (or is QoS 2)`);
  // [MQTT-2.2.2-2] wrong reserved flag bits: close the connection.
  if (e.flags !== undefined && frame.flags !== e.flags) throw protocolError(`flags ${frame.flags} on packet type ${frame.type} [MQTT-2.2.2-2]`);
  return e.decode(frame.flags, frame.body);
}

export function dispatch(session: Session, frame: Frame): void {
  // [MQTT-3.2.0-1] the first packet from the server is CONNACK.
  if (!session.connected && frame.type !== PACKET.CONNACK) return session.fail(protocolError(`packet type ${frame.type} before CONNACK [MQTT-3.2.0-1]`));
  let packet: IncomingPacket;
  try {
    packet = decodePacket(frame);
  } catch (error) {
    return session.fail(isFirmwareError(error) ? error : new FirmwareError('ERR_MQTT_PROTOCOL', String(error)));
  }
  HANDLERS[frame.type]!.handle(session, packet);
}
