/**
 * Releases the way a developer makes them: a signing key generated with the OTA tooling
 * (tools/fw.ts keygen), images signed with it (tools/fw.ts signImage), manifest and image
 * uploaded to the server, and a staged rollout started through its API. Devices trust the
 * key's public half (their factory build carries it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeCrypto } from '../../hosts/node/crypto.js';
import { keygen, signImage } from '../../tools/fw.js';
import { buildImage, type ImageBehaviour } from '../../tools/ota/sim/image.js';
import type { RolloutPolicy } from '../options.js';
import type { SimServer } from './server.js';

export interface SigningKey {
  privatePath: string;
  publicKeyHex: string;
}

export function createSigningKey(dir: string): SigningKey {
  const k = keygen(join(dir, 'keys'), { name: 'sim-release' });
  return { privatePath: k.privatePath, publicKeyHex: k.publicKeyHex };
}

export interface ReleaseSpec {
  version: string;
  securityVersion: number;
  board: string;
  behaviour: ImageBehaviour;
  imageBytes: number;
}

export interface PublishedRelease extends ReleaseSpec {
  sha256: string;
  size: number;
}

/** Builds, signs and uploads a release; returns its firmware id (SHA-256). */
export async function publishRelease(server: SimServer, dir: string, key: SigningKey, spec: ReleaseSpec): Promise<PublishedRelease> {
  mkdirSync(join(dir, 'releases'), { recursive: true });
  const image = buildImage({ version: spec.version, securityVersion: spec.securityVersion, board: spec.board, behaviour: spec.behaviour, length: spec.imageBytes }, createNodeCrypto());
  const imagePath = join(dir, 'releases', `${spec.version}.bin`);
  writeFileSync(imagePath, image);
  const { bytes } = signImage(imagePath, { version: spec.version, securityVersion: spec.securityVersion, board: spec.board, key: key.privatePath });
  const m = await server.api<{ firmware: { sha256: string } }>('POST', '/v1/firmware', { manifest: Buffer.from(bytes).toString('base64') });
  if (m.status !== 201) throw new Error(`upload manifest ${spec.version}: HTTP ${m.status} ${JSON.stringify(m.body)}`);
  const sha256 = m.body.firmware.sha256;
  const u = await server.api('PUT', `/v1/firmware/${sha256}/image`, undefined, { bytes: image, contentType: 'application/octet-stream' });
  if (u.status !== 200) throw new Error(`upload image ${spec.version}: HTTP ${u.status} ${JSON.stringify(u.body)}`);
  return { ...spec, sha256, size: image.length };
}

export async function startRollout(server: SimServer, release: PublishedRelease, plan: RolloutPolicy): Promise<string> {
  const r = await server.api<{ id: string }>('POST', '/v1/rollouts', {
    firmwareSha256: release.sha256, stages: plan.stages, failureThreshold: plan.failureThreshold, minSample: plan.minSample, soakSeconds: plan.soakSeconds,
  });
  if (r.status !== 201) throw new Error(`rollout ${release.version}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

export interface RolloutStatus {
  id: string;
  state: string;
  stageIndex: number;
  stages: number[];
  stagePercent: number;
  stateReason: string | null;
  stageStartedAtMs: number;
  counts: Record<string, number>;
  failureRate: number;
  targeted: number;
  inCohort: number;
}

export async function rolloutStatus(server: SimServer, id: string): Promise<RolloutStatus> {
  const r = await server.api<RolloutStatus>('GET', `/v1/rollouts/${id}`);
  if (r.status !== 200) throw new Error(`rollout status ${id}: HTTP ${r.status}`);
  return r.body;
}

/** The rollout's device ids in each state (paged through the API). */
export async function rolloutDevices(server: SimServer, id: string): Promise<{ deviceId: string; state: string; reason: string | null }[]> {
  const out: { deviceId: string; state: string; reason: string | null }[] = [];
  for (let offset = 0; ; offset += 500) {
    const r = await server.api<{ devices: { deviceId: string; state: string; reason: string | null }[] }>('GET', `/v1/rollouts/${id}/devices?limit=500&offset=${offset}`);
    if (r.status !== 200) throw new Error(`rollout devices ${id}: HTTP ${r.status}`);
    out.push(...r.body.devices);
    if (r.body.devices.length < 500) return out;
  }
}
