/** SUBACK (OASIS MQTT 3.1.1 section 3.9): server to client. */
import type { Session } from '../session.js';
import { BodyReader, protocolError, readPacketId } from '../wire.js';
import type { SubackPacket } from './types.js';

export function decodeSuback(body: Uint8Array): SubackPacket {
  const r = new BodyReader(body);
  const packetId = readPacketId(r);
  const returnCodes: number[] = [];
  while (r.remaining > 0) {
    const code = r.uint8();
    // [MQTT-3.9.3-2] codes other than 0x00, 0x01, 0x02 and 0x80 are reserved.
    if (code > 2 && code !== 0x80) throw protocolError(`reserved SUBACK return code ${code} [MQTT-3.9.3-2]`);
    returnCodes.push(code);
  }
  if (returnCodes.length === 0) throw protocolError('SUBACK without return codes');
  return { type: 'suback', packetId, returnCodes };
}

export function handleSuback(session: Session, p: SubackPacket): void {
  // [MQTT-3.8.4-2] a SUBACK echoes the id of a SUBSCRIBE we sent; any other is a violation.
  if (!session.settleRequest(p.packetId, 'subscribe', p.returnCodes)) session.fail(protocolError(`SUBACK for unknown id ${p.packetId}`));
}
