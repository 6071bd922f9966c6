/**
 * Payloads of `<prefix>/<deviceId>/status` (CBOR, RFC 8949 deterministic encoding, text keys):
 * - birth, published retained at QoS 1 after every connect:
 *   {"online": true, "fw": "1.2.0", "t": <corrected UTC ms>, "slot", "boot", "bat", "cfg",
 *    "outbox": {"records", "bytes", "dropped", "thinned"}}
 * - will, registered at CONNECT and published retained by the broker when the connection dies
 *   without DISCONNECT: {"online": false, "fw": "1.2.0", "lost": true}
 * A clean DISCONNECT discards the will, so after a normal sleep the retained status is the last
 * birth: "online" means "the last connection ended in order", and "t" says when it began.
 */
import { decode, encode } from '../codec/cbor.js';
import { FirmwareError } from '../errors.js';
import type { DeviceStatus } from '../node/steps.js';

export interface StatusMessage {
  online: boolean;
  firmwareVersion: string;
  /** Set on a birth: corrected UTC ms of the connect. */
  atMs?: number;
  /** Set on a will. */
  lost?: boolean;
  slot?: number;
  bootState?: string;
  batteryVolts?: number;
  configVersion?: number;
  outbox?: { records: number; bytes: number; dropped: number; thinned: number };
}

export function encodeBirth(status: DeviceStatus, atMs: number): Uint8Array {
  return encode({
    online: true,
    fw: status.firmwareVersion,
    t: Math.round(atMs),
    slot: status.slot,
    boot: status.bootState,
    bat: status.batteryVolts,
    cfg: status.configVersion,
    outbox: { ...status.outbox },
  });
}

export function encodeWill(firmwareVersion: string): Uint8Array {
  return encode({ online: false, fw: firmwareVersion, lost: true });
}

/** For consumers (simulator, server, tests); throws ERR_CBOR_* on bad CBOR, ERR_MQTT_STATUS_INVALID on a wrong shape. */
export function decodeStatus(bytes: Uint8Array): StatusMessage {
  const v = decode(bytes) as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || typeof v.online !== 'boolean' || typeof v.fw !== 'string') {
    throw new FirmwareError('ERR_MQTT_STATUS_INVALID', 'not {online, fw, ...}');
  }
  const out: StatusMessage = { online: v.online, firmwareVersion: v.fw };
  if (typeof v.t === 'number') out.atMs = v.t;
  if (v.lost === true) out.lost = true;
  if (typeof v.slot === 'number') out.slot = v.slot;
  if (typeof v.boot === 'string') out.bootState = v.boot;
  if (typeof v.bat === 'number') out.batteryVolts = v.bat;
  if (typeof v.cfg === 'number') out.configVersion = v.cfg;
  const o = v.outbox as Record<string, unknown> | undefined;
  if (typeof o === 'object' && o !== null) {
    out.outbox = { records: Number(o.records), bytes: Number(o.bytes), dropped: Number(o.dropped), thinned: Number(o.thinned) };
  }
  return out;
}
