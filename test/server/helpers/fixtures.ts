/** Signed firmware, devices and check-ins for server tests, built with the real firmware code. */
import { createHash } from 'node:crypto';
import { encodeCheckIn, type CheckInRequest } from '../../../firmware/messages/checkin.js';
import { DEFAULT_NODE_CONFIG } from '../../../firmware/node/config.js';
import { keyId } from '../../../firmware/ota/cose.js';
import { signManifest, type FirmwareManifest } from '../../../firmware/ota/manifest.js';
import { createNodeCrypto, ed25519PublicKey, ed25519Sign } from '../../../hosts/node/crypto.js';
import type { Answer, Harness } from './harness.js';

export const crypto = createNodeCrypto();

export interface SigningKey {
  seed: Uint8Array;
  publicKey: Uint8Array;
  publicKeyHex: string;
  kid: Uint8Array;
}

export function signingKey(n: number): SigningKey {
  const seed = createHash('sha256').update(`test signing key ${n}`).digest();
  const publicKey = ed25519PublicKey(seed);
  return { seed, publicKey, publicKeyHex: Buffer.from(publicKey).toString('hex'), kid: keyId(publicKey, crypto) };
}

export function image(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function manifestFor(img: Uint8Array, key: SigningKey, over: Partial<FirmwareManifest> = {}): Uint8Array {
  const sha = createHash('sha256').update(img).digest();
  const manifest: FirmwareManifest = {
    version: '1.1.0', securityVersion: 1, board: 'esp32-c3', size: img.length, sha256: new Uint8Array(sha),
    path: `/v1/firmware/${sha.toString('hex')}/image`, ...over,
  };
  return signManifest(manifest, (tbs) => ed25519Sign(tbs, key.seed), { kid: key.kid });
}

export async function trustKey(h: Harness, key: SigningKey): Promise<void> {
  const a = await h.request('POST', '/v1/keys', { token: h.adminToken, json: { name: 'release', publicKey: key.publicKeyHex } });
  if (a.status !== 201) throw new Error(`trust key: ${a.status} ${a.text()}`);
}

/** Registers manifest and image; returns the SHA-256. */
export async function publishFirmware(h: Harness, img: Uint8Array, manifest: Uint8Array): Promise<string> {
  const m = await h.request('POST', '/v1/firmware', { token: h.adminToken, json: { manifest: Buffer.from(manifest).toString('base64') } });
  if (m.status !== 201) throw new Error(`manifest: ${m.status} ${m.text()}`);
  const sha = m.json().firmware.sha256 as string;
  const u = await h.request('PUT', `/v1/firmware/${sha}/image`, { token: h.adminToken, body: img, contentType: 'application/octet-stream' });
  if (u.status !== 200) throw new Error(`image: ${u.status} ${u.text()}`);
  return sha;
}

/** Registers and provisions a device; returns its token. */
export async function provisionedDevice(h: Harness, id: string, board = 'esp32-c3', tags: string[] = []): Promise<string> {
  const r = await h.request('POST', '/v1/devices', { token: h.adminToken, json: { id, board, tags } });
  if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text()}`);
  const p = await h.request('POST', '/v1/provision', { json: { deviceId: id, claimSecret: r.json().claimSecret } });
  if (p.status !== 200) throw new Error(`provision: ${p.status} ${p.text()}`);
  return p.json().deviceToken as string;
}

export function checkInBody(id: string, over: Partial<CheckInRequest> = {}): CheckInRequest {
  return {
    deviceId: id, firmwareVersion: '1.0.0', slot: 0, bootState: 'valid', batteryVolts: 3.9, configVersion: 0,
    outbox: { records: 0, bytes: 0, dropped: 0, thinned: 0 }, deviceTimeMs: 1_750_000_000_000, ...over,
  };
}

export function checkIn(h: Harness, token: string, id: string, over: Partial<CheckInRequest> = {}, format: 'cbor' | 'json' = 'json'): Promise<Answer> {
  const body = checkInBody(id, over);
  return format === 'json'
    ? h.request('POST', `/v1/devices/${id}/checkin`, { token, json: body })
    : h.request('POST', `/v1/devices/${id}/checkin`, { token, body: encodeCheckIn(body, 'cbor'), contentType: 'application/cbor', headers: { accept: 'application/cbor' } });
}

/** The reference NodeConfig without deviceId and version (the server fills them in). */
export function configDocument(checkInPeriodMs = 3_600_000): Record<string, unknown> {
  const { deviceId: _id, version: _version, ...rest } = JSON.parse(JSON.stringify(DEFAULT_NODE_CONFIG)) as Record<string, unknown>;
  return { ...rest, checkInPeriodMs };
}
