import { describe, expect, it } from 'vitest';
import { encode, Tagged } from '../../../../firmware/codec/cbor.js';
import { createNobleCrypto } from '../../../../firmware/crypto/noble.js';
import { keyId, parseCoseSign1, sigStructure, signCoseSign1, verifyCoseSign1 } from '../../../../firmware/ota/cose.js';
import {
  decodeManifest, encodeManifest, parseSignedManifest, signManifest, verifySignedManifest, type FirmwareManifest,
} from '../../../../firmware/ota/manifest.js';
import { isFirmwareError, type ErrorCode } from '../../../../firmware/index.js';
import { createNodeCrypto, ed25519PublicKey, ed25519Sign } from '../../../../hosts/node/crypto.js';
import { RFC8032 } from '../../../contract/crypto.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// protocols.md section 1.5 (the 87-byte SenML pack) and section 3 (its COSE_Sign1 under TEST 1).
const SENML_PACK = hex('83a5006474656d70016343656c02f94d6021781d75726e3a6465763a6d61633a303032346265666666653830346666313a221a6553f100a3006368756d016325524802f951b0a40063626174016325454c02185706383b');
const WORKED_SIGNATURE = hex('9a4f8c6e3ecdf5dc046acbea2e0848458096f7d133efc56ec42aa867da82efe90580187820993dfdf9b2f11246acbf4fde95a9eb96cc93852a8da3584daeb003');

const seed = RFC8032.test1.secretKey;
const publicKey = RFC8032.test1.publicKey;
const signer = (tbs: Uint8Array): Uint8Array => ed25519Sign(tbs, seed);
const noble = createNobleCrypto();
const node = createNodeCrypto();

function expectCode(fn: () => unknown, code: ErrorCode): void {
  try {
    fn();
  } catch (error) {
    expect(isFirmwareError(error, code), `${String(error)}`).toBe(true);
    return;
  }
  expect.fail(`expected ${code}`);
}

const sampleManifest = (over: Partial<FirmwareManifest> = {}): FirmwareManifest => ({
  version: '1.2.3-rc.1+build.7',
  securityVersion: 2,
  board: 'esp32s3-devkitc',
  size: 1_234_567,
  sha256: hex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'),
  path: '/v1/firmware/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  ...over,
});

describe('COSE_Sign1 (RFC 9052)', () => {
  it('reproduces the protocols.md section 3 worked signature byte for byte', () => {
    expect(SENML_PACK.length).toBe(87);
    expect(toHex(sigStructure(hex('a10127'), SENML_PACK))).toBe(`846a5369676e61747572653143a10127405857${toHex(SENML_PACK)}`);
    const message = signCoseSign1(SENML_PACK, signer);
    expect(message.length).toBe(162);
    expect(toHex(message)).toBe(`d28443a10127a05857${toHex(SENML_PACK)}5840${toHex(WORKED_SIGNATURE)}`);
    const parsed = parseCoseSign1(message);
    expect(parsed.payload).toEqual(SENML_PACK);
    expect(parsed.kid).toBeUndefined();
    expect(verifyCoseSign1(parsed, [publicKey], noble)).toEqual(publicKey);
    expect(verifyCoseSign1(parsed, [publicKey], node)).toEqual(publicKey);
  });

  it('verifies from the protected bytes as received, not a re-encoding', () => {
    // A non-preferred but valid encoding of {1: -8}: map with a 1-byte-length head for key 1.
    const protectedBytes = hex('a1180127');
    const tbs = sigStructure(protectedBytes, SENML_PACK);
    const message = encode(new Tagged(18, [protectedBytes, new Map(), SENML_PACK, signer(tbs)]));
    const parsed = parseCoseSign1(message);
    expect(parsed.protectedBytes).toEqual(protectedBytes);
    expect(verifyCoseSign1(parsed, [publicKey], noble)).toBeDefined();
  });

  it('selects the key by kid and tries only that one', () => {
    const kid = keyId(publicKey, noble);
    const message = signCoseSign1(SENML_PACK, signer, { kid });
    const parsed = parseCoseSign1(message);
    expect(parsed.kid).toEqual(kid);
    let calls = 0;
    const counting = { ...noble, verifyEd25519: (s: Uint8Array, m: Uint8Array, k: Uint8Array) => (calls++, noble.verifyEd25519(s, m, k)) };
    const other = ed25519PublicKey(RFC8032.test2.secretKey);
    expect(verifyCoseSign1(parsed, [other, publicKey, other], counting)).toEqual(publicKey);
    expect(calls).toBe(1);
    expect(verifyCoseSign1(parsed, [other], counting)).toBeUndefined();
    expect(calls).toBe(1);
  });

  const envelope = (items: unknown[], tag = 18): Uint8Array => encode(new Tagged(tag, items));
  const sig = new Uint8Array(64);
  const cases: Array<[string, Uint8Array]> = [
    ['not CBOR', hex('d284ff')],
    ['untagged', encode([hex('a10127'), new Map(), SENML_PACK, sig])],
    ['wrong tag (COSE_Sign = 98)', envelope([hex('a10127'), new Map(), SENML_PACK, sig], 98)],
    ['three items', envelope([hex('a10127'), new Map(), SENML_PACK])],
    ['protected not bstr', envelope([new Map([[1, -8]]), new Map(), SENML_PACK, sig])],
    ['protected not a map', envelope([hex('8101'), new Map(), SENML_PACK, sig])],
    ['protected not CBOR', envelope([hex('a1'), new Map(), SENML_PACK, sig])],
    ['alg ES256', envelope([hex('a10126'), new Map(), SENML_PACK, sig])],
    ['alg missing', envelope([hex(''), new Map(), SENML_PACK, sig])],
    ['alg unprotected', envelope([hex(''), new Map([[1, -8]]), SENML_PACK, sig])],
    ['label in both buckets', envelope([hex('a10127'), new Map([[1, -8]]), SENML_PACK, sig])],
    ['crit present', envelope([encode(new Map<number, unknown>([[1, -8], [2, [99]]])), new Map(), SENML_PACK, sig])],
    ['detached payload', envelope([hex('a10127'), new Map(), null, sig])],
    ['short signature', envelope([hex('a10127'), new Map(), SENML_PACK, sig.subarray(1)])],
    ['kid not bstr', envelope([hex('a10127'), new Map([[4, 'k1']]), SENML_PACK, sig])],
    ['unprotected not a map', envelope([hex('a10127'), [], SENML_PACK, sig])],
  ];
  for (const [name, bytes] of cases) {
    it(`refuses a malformed envelope: ${name}`, () => expectCode(() => parseCoseSign1(bytes), 'ERR_OTA_MANIFEST_MALFORMED'));
  }
});

describe('signed firmware manifest', () => {
  it('round-trips every field, with and without the battery minimum', () => {
    for (const m of [sampleManifest(), sampleManifest({ minBatteryVolts: 3.45, securityVersion: 0 })]) {
      expect(decodeManifest(encodeManifest(m))).toEqual(m);
      const signed = signManifest(m, signer);
      expect(parseSignedManifest(signed).manifest).toEqual(m);
      expect(verifySignedManifest(signed, [publicKey], noble).manifest).toEqual(m);
    }
  });

  it('encodes deterministically with small integer keys', () => {
    const bytes = encodeManifest(sampleManifest({ minBatteryVolts: 3.3 }));
    // map(8), key 0 = format 1, key 1 = version text...
    expect(toHex(bytes.subarray(0, 4))).toBe('a8000101');
    expect(toHex(encodeManifest(sampleManifest()))).toBe(toHex(encodeManifest(sampleManifest())));
    expect(toHex(bytes.subarray(-4))).toBe('07190ce4'); // key 7: 3300 mV as a uint16
  });

  it('refuses a bad signature, a wrong key, a tampered payload', () => {
    const signed = signManifest(sampleManifest(), signer);
    const wrongKey = ed25519PublicKey(RFC8032.test2.secretKey);
    expectCode(() => verifySignedManifest(signed, [wrongKey], noble), 'ERR_OTA_MANIFEST_SIGNATURE');
    expectCode(() => verifySignedManifest(signed, [], noble), 'ERR_OTA_MANIFEST_SIGNATURE');
    const badSig = signed.slice();
    badSig[badSig.length - 5]! ^= 0x01;
    expectCode(() => verifySignedManifest(badSig, [publicKey], noble), 'ERR_OTA_MANIFEST_SIGNATURE');
    const other = signManifest(sampleManifest({ board: 'esp32c3' }), (tbs) => ed25519Sign(tbs, RFC8032.test2.secretKey));
    expectCode(() => verifySignedManifest(other, [publicKey], noble), 'ERR_OTA_MANIFEST_SIGNATURE');
    // Swap in another payload under the original signature.
    const parsed = parseCoseSign1(signed);
    const swapped = encode(new Tagged(18, [parsed.protectedBytes, new Map(), encodeManifest(sampleManifest({ securityVersion: 9 })), parsed.signature]));
    expectCode(() => verifySignedManifest(swapped, [publicKey], noble), 'ERR_OTA_MANIFEST_SIGNATURE');
  });

  it('refuses a validly signed but malformed payload only after the signature verifies', () => {
    const garbage = signCoseSign1(hex('a1ff'), signer);
    expectCode(() => verifySignedManifest(garbage, [publicKey], noble), 'ERR_OTA_MANIFEST_MALFORMED');
    expectCode(() => verifySignedManifest(garbage, [ed25519PublicKey(RFC8032.test2.secretKey)], noble), 'ERR_OTA_MANIFEST_SIGNATURE');
  });

  const good = (): Map<number, unknown> => new Map<number, unknown>([
    [0, 1], [1, '1.0.0'], [2, 1], [3, 'esp32'], [4, 100], [5, new Uint8Array(32)], [6, '/fw/1'],
  ]);
  const payloadCases: Array<[string, (m: Map<number, unknown>) => unknown]> = [
    ['not a map', () => [1, 2]],
    ['unknown key', (m) => m.set(8, 1)],
    ['text key', (m) => new Map<unknown, unknown>([...m, ['x', 1]])],
    ['format 2', (m) => m.set(0, 2)],
    ['format missing', (m) => (m.delete(0), m)],
    ['version not semver', (m) => m.set(1, '1.0')],
    ['version leading zero', (m) => m.set(1, '01.0.0')],
    ['version not text', (m) => m.set(1, 100)],
    ['securityVersion negative', (m) => m.set(2, -1)],
    ['securityVersion float', (m) => m.set(2, 1.5)],
    ['securityVersion > uint32', (m) => m.set(2, 2 ** 32)],
    ['board empty', (m) => m.set(3, '')],
    ['board missing', (m) => (m.delete(3), m)],
    ['size zero', (m) => m.set(4, 0)],
    ['sha256 31 bytes', (m) => m.set(5, new Uint8Array(31))],
    ['sha256 as text', (m) => m.set(5, 'ab')],
    ['path with newline', (m) => m.set(6, '/a\nb')],
    ['path empty', (m) => m.set(6, '')],
    ['battery float', (m) => m.set(7, 3.3)],
    ['battery too big', (m) => m.set(7, 70000)],
  ];
  for (const [name, mutate] of payloadCases) {
    it(`refuses a malformed manifest payload: ${name}`, () => {
      expect(decodeManifest(encode(good()))).toBeDefined();
      const payload = encode(mutate(good()));
      expectCode(() => decodeManifest(payload), 'ERR_OTA_MANIFEST_MALFORMED');
      expectCode(() => parseSignedManifest(signCoseSign1(payload, signer)), 'ERR_OTA_MANIFEST_MALFORMED');
    });
  }

  it('refuses to encode an invalid manifest', () => {
    expectCode(() => encodeManifest(sampleManifest({ version: 'v1' })), 'ERR_OTA_MANIFEST_MALFORMED');
    expectCode(() => encodeManifest(sampleManifest({ minBatteryVolts: -1 })), 'ERR_OTA_MANIFEST_MALFORMED');
    expectCode(() => signManifest(sampleManifest(), () => new Uint8Array(10)), 'ERR_OTA_MANIFEST_MALFORMED');
  });
});
