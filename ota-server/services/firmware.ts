/**
 * Firmware store: a signed manifest is accepted only when a trusted key verifies it (the
 * server holds public keys only); the image is then uploaded against it and stored under its
 * SHA-256. Downloads are served by routes/firmware with Range and ETag.
 */
import type { Readable } from 'node:stream';
import { ED25519_PUBLIC_KEY_LENGTH, decodeManifest, isWeakEd25519Key, keyId, parseCoseSign1, verifyCoseSign1, type FirmwareManifest } from '../core.js';
import { ServerError } from '../errors.js';
import { StoreConflictError, type FirmwareRecord, type TrustedKeyRecord } from '../store/types.js';
import type { ServiceContext } from './context.js';

export function imagePath(sha256: string): string {
  return `/v1/firmware/${sha256}/image`;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export class FirmwareService {
  readonly #ctx: ServiceContext;
  /** Firmware rows never change but for image_stored_at: cache what the check-in path reads. */
  readonly #cache = new Map<string, FirmwareRecord>();

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
  }

  /** Adds a trusted Ed25519 public key (32 raw bytes); its id is the COSE kid, hex. */
  async addKey(name: string, publicKeyHex: string): Promise<TrustedKeyRecord> {
    const raw = Buffer.from(publicKeyHex, 'hex');
    if (raw.length !== ED25519_PUBLIC_KEY_LENGTH || raw.toString('hex') !== publicKeyHex.toLowerCase()) {
      throw new ServerError('ERR_KEY_INVALID', 'expected 64 hex digits (a raw Ed25519 public key)');
    }
    // Small-order or non-canonical keys verify forged signatures or none at all: refused at the door.
    if (isWeakEd25519Key(raw)) throw new ServerError('ERR_KEY_INVALID', 'weak (small-order or non-canonical) key');
    const record: TrustedKeyRecord = { id: hex(keyId(raw, this.#ctx.crypto)), name, publicKeyHex: raw.toString('hex'), createdAtMs: this.#ctx.now(), revokedAtMs: null };
    try {
      await this.#ctx.store.addTrustedKey(record);
    } catch (error) {
      if (error instanceof StoreConflictError) throw new ServerError('ERR_KEY_EXISTS', record.id);
      throw error;
    }
    return record;
  }

  /** Verifies and registers a manifest; the image is uploaded next (or is already on disk). */
  async addManifest(bytes: Uint8Array, maxImageBytes = Number.MAX_SAFE_INTEGER): Promise<{ record: FirmwareRecord; manifest: FirmwareManifest; warnings: string[] }> {
    const envelope = parseCoseSign1(bytes);
    const keys = (await this.#ctx.store.listTrustedKeys()).filter((k) => k.revokedAtMs === null);
    const key = verifyCoseSign1(envelope, keys.map((k) => Buffer.from(k.publicKeyHex, 'hex')), this.#ctx.crypto);
    if (key === undefined) throw new ServerError('ERR_MANIFEST_UNTRUSTED');
    const manifest = decodeManifest(envelope.payload);
    if (manifest.size > maxImageBytes) throw new ServerError('ERR_IMAGE_TOO_LARGE', `${manifest.size} bytes, limit ${maxImageBytes}`);
    const sha256 = hex(manifest.sha256);
    const onDisk = await this.#ctx.images.size(sha256);
    const now = this.#ctx.now();
    const record: FirmwareRecord = {
      sha256, version: manifest.version, board: manifest.board, securityVersion: manifest.securityVersion, size: manifest.size,
      manifest: Uint8Array.from(bytes), keyId: hex(keyId(key, this.#ctx.crypto)), createdAtMs: now,
      imageStoredAtMs: onDisk === manifest.size ? now : null,
    };
    try {
      await this.#ctx.store.createFirmware(record);
    } catch (error) {
      if (error instanceof StoreConflictError) throw new ServerError('ERR_FIRMWARE_EXISTS', sha256);
      throw error;
    }
    const warnings = manifest.path === imagePath(sha256) ? [] : [`manifest path ${manifest.path} is not this server's ${imagePath(sha256)}; devices are sent the latter`];
    return { record, manifest, warnings };
  }

  async get(sha256: string): Promise<FirmwareRecord> {
    const cached = this.#cache.get(sha256);
    if (cached !== undefined) return cached;
    const record = await this.#ctx.store.getFirmware(sha256);
    if (record === undefined) throw new ServerError('ERR_NOT_FOUND', `firmware ${sha256}`);
    if (record.imageStoredAtMs !== null) this.#cache.set(sha256, record);
    return record;
  }

  async storeImage(sha256: string, body: Readable): Promise<FirmwareRecord> {
    const record = await this.get(sha256);
    await this.#ctx.images.store(sha256, record.size, body);
    await this.#ctx.store.markFirmwareImageStored(sha256, this.#ctx.now());
    return this.get(sha256);
  }

  async remove(sha256: string): Promise<void> {
    const result = await this.#ctx.store.deleteFirmware(sha256);
    if (result === 'missing') throw new ServerError('ERR_NOT_FOUND', `firmware ${sha256}`);
    if (result === 'in_use') throw new ServerError('ERR_FIRMWARE_IN_USE');
    this.#cache.delete(sha256);
    await this.#ctx.images.remove(sha256);
  }
}

