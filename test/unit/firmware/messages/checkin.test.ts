import { describe, expect, it } from 'vitest';
import { Encoder } from 'cbor-x';
import {
  checkInAnswerFromJson, checkInAnswerToJson, decodeCheckIn, decodeCheckInAnswer, encodeCheckIn, encodeCheckInAnswer,
  validateCheckIn, type CheckInAnswer, type CheckInRequest,
} from '../../../../firmware/messages/checkin.js';
import { FirmwareError } from '../../../../firmware/errors.js';

// cbor-x as an independent codec: byte strings untagged, 64-bit integers as numbers.
// @ts-expect-error int64AsNumber is a cbor-x option missing from its typings
const cborx = new Encoder({ tagUint8Array: false, useRecords: false, mapsAsObjects: true, int64AsNumber: true });
const cborxDecode = (b: Uint8Array): unknown => cborx.decode(b);
const cborxEncode = (v: unknown): Uint8Array => cborx.encode(v);
const request: CheckInRequest = {
  deviceId: 'node-0001',
  firmwareVersion: '1.2.3-rc.1',
  slot: 1,
  bootState: 'pending-verify',
  batteryVolts: 3.71,
  configVersion: 7,
  outbox: { records: 12, bytes: 3456, dropped: 1, thinned: 4 },
  updateOutcome: { kind: 'failed', version: '1.2.4', reason: 'ERR_OTA_HASH' },
  deviceTimeMs: 1_790_000_000_123,
};
const answer: CheckInAnswer = {
  serverTimeMs: 1_790_000_001_000,
  config: { version: 8, sensors: [{ id: 't', periodS: 60 }] },
  update: { manifest: new Uint8Array([0xd2, 0x84, 0x43, 0xa1, 0x01, 0x27]), downloadPath: '/v1/firmware/abc', size: 123456 },
};

function reason(fn: () => unknown): string {
  try { fn(); } catch (e) {
    expect(e).toBeInstanceOf(FirmwareError);
    expect((e as FirmwareError).code).toBe('ERR_MESSAGE_INVALID');
    return (e as FirmwareError).message;
  }
  throw new Error('did not throw');
}

describe('check-in request', () => {
  it('round-trips through CBOR and JSON', () => {
    expect(decodeCheckIn(encodeCheckIn(request))).toEqual(request);
    expect(decodeCheckIn(encodeCheckIn(request, 'json'), 'json')).toEqual(request);
  });
  it('CBOR is a text-keyed map that cbor-x reads with the same field names', () => {
    expect(cborxDecode(encodeCheckIn(request))).toEqual(request);
    const { updateOutcome: _, ...without } = request;
    expect(decodeCheckIn(cborxEncode(without))).toEqual(without);
  });
  it('JSON carries the same field names', () => {
    expect(JSON.parse(new TextDecoder().decode(encodeCheckIn(request, 'json')))).toEqual(request);
  });
  it('encodes deterministically regardless of key order', () => {
    const shuffled = Object.fromEntries(Object.entries(request).reverse()) as unknown as CheckInRequest;
    expect(encodeCheckIn(shuffled)).toEqual(encodeCheckIn(request));
  });
  it.each<[string, (r: Record<string, unknown>) => void, RegExp]>([
    ['unknown field', (r) => { r.extra = 1; }, /extra: unknown field/],
    ['unknown nested field', (r) => { r.outbox = { ...request.outbox, lost: 1 }; }, /outbox\.lost: unknown field/],
    ['missing device id', (r) => { delete r.deviceId; }, /deviceId: expected a string/],
    ['device id with a slash', (r) => { r.deviceId = 'a/b'; }, /deviceId: does not match/],
    ['device id with a wildcard', (r) => { r.deviceId = 'a+'; }, /deviceId/],
    ['slot 2', (r) => { r.slot = 2; }, /slot: outside 0\.\.1/],
    ['fractional config version', (r) => { r.configVersion = 1.5; }, /configVersion: expected an integer/],
    ['negative counter', (r) => { r.outbox = { ...request.outbox, dropped: -1 }; }, /outbox\.dropped: outside/],
    ['NaN battery', (r) => { r.batteryVolts = Number.NaN; }, /batteryVolts: expected a finite number/],
    ['string battery', (r) => { r.batteryVolts = '3.7'; }, /batteryVolts/],
    ['unknown boot state', (r) => { r.bootState = 'weird'; }, /bootState: expected one of/],
    ['unknown outcome kind', (r) => { r.updateOutcome = { kind: 'exploded', version: '1' }; }, /updateOutcome\.kind/],
    ['failure without reason', (r) => { r.updateOutcome = { kind: 'failed', version: '1' }; }, /updateOutcome\.reason: expected a string/],
    ['success with a reason', (r) => { r.updateOutcome = { kind: 'succeeded', version: '1', reason: 'x' }; }, /not allowed/],
    ['null outcome', (r) => { r.updateOutcome = null; }, /updateOutcome: expected an object/],
    ['overlong version', (r) => { r.firmwareVersion = '1'.repeat(33); }, /firmwareVersion: longer than 32/],
    ['array body', (r) => { Object.assign(r, { 0: 1 }); }, /unknown field/],
  ])('refuses %s with a reason', (_name, mutate, pattern) => {
    const bad: Record<string, unknown> = structuredClone(request) as unknown as Record<string, unknown>;
    mutate(bad);
    expect(reason(() => validateCheckIn(bad))).toMatch(pattern);
    expect(reason(() => decodeCheckIn(cborxEncode(bad)))).toMatch(pattern);
    expect(reason(() => decodeCheckIn(new TextEncoder().encode(JSON.stringify(bad)), 'json'))).toMatch(pattern);
  });
  it('refuses a body that is not an object', () => {
    expect(reason(() => decodeCheckIn(cborxEncode([1, 2])))).toMatch(/expected an object/);
    expect(reason(() => decodeCheckIn(new TextEncoder().encode('null'), 'json'))).toMatch(/expected an object/);
  });
  it('refuses malformed JSON and non-UTF-8 JSON', () => {
    expect(reason(() => decodeCheckIn(new TextEncoder().encode('{"deviceId":'), 'json'))).toMatch(/malformed JSON/);
    expect(reason(() => decodeCheckIn(new Uint8Array([0x7b, 0xff, 0x7d]), 'json'))).toMatch(/not UTF-8/);
  });
  it('refuses malformed CBOR with a CBOR code', () => {
    expect(() => decodeCheckIn(new Uint8Array([0xa1, 0x61]))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_CBOR_/) }));
  });
  it('refuses an oversized body before decoding it', () => {
    expect(reason(() => decodeCheckIn(new Uint8Array(2000)))).toMatch(/longer than 1024/);
  });
  it('encode refuses an invalid request (nothing malformed leaves the device)', () => {
    expect(reason(() => encodeCheckIn({ ...request, slot: 3 as 0 }))).toMatch(/slot/);
  });
});

describe('check-in answer', () => {
  it('round-trips through CBOR and JSON', () => {
    expect(decodeCheckInAnswer(encodeCheckInAnswer(answer))).toEqual(answer);
    expect(decodeCheckInAnswer(encodeCheckInAnswer(answer, 'json'), 'json')).toEqual(answer);
    expect(decodeCheckInAnswer(encodeCheckInAnswer({ serverTimeMs: 5 }))).toEqual({ serverTimeMs: 5 });
  });
  it('JSON carries the manifest as base64', () => {
    const json = checkInAnswerToJson(answer);
    expect(json.update?.manifest).toBe(Buffer.from(answer.update!.manifest).toString('base64'));
    expect(checkInAnswerFromJson(JSON.parse(JSON.stringify(json)))).toEqual(answer);
  });
  it('CBOR carries the manifest as a byte string (cbor-x reads it)', () => {
    const decoded = cborxDecode(encodeCheckInAnswer(answer)) as { update: { manifest: Uint8Array } };
    expect(new Uint8Array(decoded.update.manifest)).toEqual(answer.update!.manifest);
  });
  it('ignores unknown fields (a newer server never locks an older device out) and treats null as absent', () => {
    const newer = { serverTimeMs: 9, motd: 'hello', config: null, update: { manifest: new Uint8Array([1]), downloadPath: '/f', sha: 'x', size: null } };
    expect(decodeCheckInAnswer(cborxEncode(newer))).toEqual({ serverTimeMs: 9, update: { manifest: new Uint8Array([1]), downloadPath: '/f' } });
  });
  it.each<[string, unknown, RegExp]>([
    ['missing server time', { config: {} }, /serverTimeMs: expected an integer/],
    ['negative server time', { serverTimeMs: -1 }, /serverTimeMs: outside/],
    ['config not an object', { serverTimeMs: 1, config: [1] }, /config: expected an object/],
    ['manifest as text', { serverTimeMs: 1, update: { manifest: 'abc', downloadPath: '/x' } }, /update\.manifest: expected bytes/],
    ['empty manifest', { serverTimeMs: 1, update: { manifest: new Uint8Array(0), downloadPath: '/x' } }, /update\.manifest: length/],
    ['huge manifest', { serverTimeMs: 1, update: { manifest: new Uint8Array(5000), downloadPath: '/x' } }, /update\.manifest: length/],
    ['absolute URL as path', { serverTimeMs: 1, update: { manifest: new Uint8Array(1), downloadPath: 'http://evil/x' } }, /update\.downloadPath/],
    ['path with a space', { serverTimeMs: 1, update: { manifest: new Uint8Array(1), downloadPath: '/a b' } }, /update\.downloadPath/],
    ['zero size', { serverTimeMs: 1, update: { manifest: new Uint8Array(1), downloadPath: '/x', size: 0 } }, /update\.size/],
  ])('refuses %s', (_name, bad, pattern) => {
    expect(reason(() => decodeCheckInAnswer(cborxEncode(bad)))).toMatch(pattern);
  });
  it('refuses bad base64 in the JSON form', () => {
    expect(reason(() => checkInAnswerFromJson({ serverTimeMs: 1, update: { manifest: 'not base64!', downloadPath: '/x' } }))).toMatch(/update\.manifest/);
  });
});
