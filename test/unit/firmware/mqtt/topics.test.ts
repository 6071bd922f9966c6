import { describe, expect, it } from 'vitest';
import { deviceTopics } from '../../../../firmware/mqtt/topics.js';
import { decodeStatus, encodeBirth, encodeWill } from '../../../../firmware/mqtt/status.js';
import { Decoder } from 'cbor-x';

// 8-byte integers (the ms time) as numbers, not bigint (toolchain.md pitfalls).
const cborx = new Decoder({ mapsAsObjects: true, int64AsNumber: true } as ConstructorParameters<typeof Decoder>[0]); // int64AsNumber is missing from cbor-x's typings
const decode = (b: Uint8Array): unknown => cborx.decode(b);

describe('device topics', () => {
  it('builds <prefix>/<deviceId>/{up,status,down}', () => {
    expect(deviceTopics('fleet/eu', 'node-7')).toEqual({ up: 'fleet/eu/node-7/up', status: 'fleet/eu/node-7/status', down: 'fleet/eu/node-7/down' });
  });

  it('refuses wildcards, an empty part, a multi-level device id and a "$" prefix (ERR_MQTT_TOPIC)', () => {
    for (const [p, d] of [['a/+', 'x'], ['a', '#'], ['', 'x'], ['a', ''], ['a', 'x/y'], ['$SYS', 'x']] as const) {
      expect(() => deviceTopics(p, d), `${p} ${d}`).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_TOPIC' }));
    }
  });
});

describe('status payloads', () => {
  const status = { firmwareVersion: '2.0.1', slot: 1 as const, bootState: 'pending-verify', batteryVolts: 3.3, configVersion: 9, outbox: { records: 4, bytes: 120, dropped: 1, thinned: 2 } };

  it('birth is a CBOR map with online, firmware version, time and the device status (as cbor-x reads it)', () => {
    expect(decode(encodeBirth(status, 1_700_000_000_123))).toEqual({
      online: true, fw: '2.0.1', t: 1_700_000_000_123, slot: 1, boot: 'pending-verify', bat: 3.3, cfg: 9, outbox: { records: 4, bytes: 120, dropped: 1, thinned: 2 },
    });
    expect(decodeStatus(encodeBirth(status, 7))).toMatchObject({ online: true, firmwareVersion: '2.0.1', atMs: 7, outbox: status.outbox });
  });

  it('will says offline, lost, with the firmware version', () => {
    expect(decode(encodeWill('2.0.1'))).toEqual({ online: false, fw: '2.0.1', lost: true });
    expect(decodeStatus(encodeWill('2.0.1'))).toEqual({ online: false, firmwareVersion: '2.0.1', lost: true });
  });

  it('decodeStatus refuses another shape (ERR_MQTT_STATUS_INVALID)', () => {
    expect(() => decodeStatus(Uint8Array.of(0xa0))).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_STATUS_INVALID' }));
  });
});
