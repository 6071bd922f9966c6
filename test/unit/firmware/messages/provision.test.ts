import { describe, expect, it } from 'vitest';
import { Encoder } from 'cbor-x';
import {
  decodeProvisionAnswer, decodeProvisionRequest, encodeProvisionAnswer, encodeProvisionRequest, validateProvisionRequest,
  type ProvisionAnswer,
} from '../../../../firmware/messages/provision.js';

// cbor-x as an independent codec: byte strings untagged, 64-bit integers as numbers.
// @ts-expect-error int64AsNumber is a cbor-x option missing from its typings
const cborx = new Encoder({ tagUint8Array: false, useRecords: false, mapsAsObjects: true, int64AsNumber: true });
const cborxDecode = (b: Uint8Array): unknown => cborx.decode(b);
const cborxEncode = (v: unknown): Uint8Array => cborx.encode(v);
const answer: ProvisionAnswer = {
  deviceToken: 'dt_0123456789abcdef0123',
  mqtt: { username: 'node-1', password: 'p@ss-w0rd', brokers: [{ host: 'mqtt.example.net', port: 8883, tls: true }, { host: '10.0.0.2', port: 1883 }], topicPrefix: 'fleet/a' },
  config: { version: 1 },
  serverTimeMs: 1_790_000_000_000,
};

describe('provisioning messages', () => {
  it('request round-trips in CBOR and JSON with the same field names', () => {
    const req = { deviceId: 'node-1', claimSecret: 'claim-secret-123' };
    expect(decodeProvisionRequest(encodeProvisionRequest(req))).toEqual(req);
    expect(cborxDecode(encodeProvisionRequest(req))).toEqual(req);
    expect(decodeProvisionRequest(encodeProvisionRequest(req, 'json'), 'json')).toEqual(req);
  });
  it('answer round-trips in CBOR and JSON', () => {
    expect(decodeProvisionAnswer(encodeProvisionAnswer(answer))).toEqual(answer);
    expect(decodeProvisionAnswer(encodeProvisionAnswer(answer, 'json'), 'json')).toEqual(answer);
  });
  it.each<[unknown, RegExp]>([
    [{ deviceId: 'node-1' }, /claimSecret: expected a string/],
    [{ deviceId: 'node-1', claimSecret: 'short' }, /claimSecret: shorter than 8/],
    [{ deviceId: 'node-1', claimSecret: 'has a space in it' }, /claimSecret: does not match/],
    [{ deviceId: 'a#', claimSecret: 'claim-secret-123' }, /deviceId/],
    [{ deviceId: 'node-1', claimSecret: 'claim-secret-123', admin: true }, /admin: unknown field/],
  ])('request %j is refused', (bad, pattern) => {
    expect(() => validateProvisionRequest(bad)).toThrow(pattern);
    expect(() => decodeProvisionRequest(cborxEncode(bad))).toThrow(pattern);
  });
  it.each<[string, (a: Record<string, any>) => void, RegExp]>([
    ['no brokers', (a) => { a.mqtt.brokers = []; }, /mqtt\.brokers: length/],
    ['port 0', (a) => { a.mqtt.brokers[0].port = 0; }, /mqtt\.brokers\.0\.port/],
    ['host with a slash', (a) => { a.mqtt.brokers[1].host = 'a/b'; }, /mqtt\.brokers\.1\.host/],
    ['wildcard prefix', (a) => { a.mqtt.topicPrefix = 'fleet/#'; }, /mqtt\.topicPrefix/],
    ['short token', (a) => { a.deviceToken = 'x'; }, /deviceToken/],
    ['tls as text', (a) => { a.mqtt.brokers[0].tls = 'yes'; }, /tls: expected a boolean/],
  ])('answer with %s is refused', (_name, mutate, pattern) => {
    const bad = structuredClone(answer) as unknown as Record<string, any>; // any: test mutation of nested fields
    mutate(bad);
    expect(() => decodeProvisionAnswer(cborxEncode(bad))).toThrow(pattern);
  });
});
