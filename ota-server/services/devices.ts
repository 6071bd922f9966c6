/** Device registry and provisioning (claim secret -> device token, MQTT credentials, config). */
import { generateSecret, hashSecret } from '../auth/secrets.js';
import type { ProvisionAnswer } from '../core.js';
import { ServerError } from '../errors.js';
import { StoreConflictError, type DeviceRecord } from '../store/types.js';
import type { ConfigService } from './configs.js';
import type { ServiceContext } from './context.js';

export interface DeviceRegistration {
  id: string;
  board: string;
  tags: string[];
}

export interface RegisteredDevice extends DeviceRegistration {
  /** Shown once; only its hash is stored. */
  claimSecret: string;
}

/** Normalised tags: distinct, sorted (a target is a set). */
export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags)].sort();
}

/**
 * Devices from CSV: a header line naming `id`, `board` and optionally `tags` (tags separated by
 * ';' or spaces inside the field). Quoted fields are not supported: ids, boards and tags never
 * contain commas (their patterns forbid it). Throws ERR_VALIDATION naming the line.
 */
export function parseDeviceCsv(text: string): DeviceRegistration[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new ServerError('ERR_VALIDATION', 'CSV is empty');
  const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string): number => header.indexOf(name);
  if (col('id') < 0 || col('board') < 0) throw new ServerError('ERR_VALIDATION', 'CSV header must name id and board');
  for (const h of header) if (!['id', 'board', 'tags'].includes(h)) throw new ServerError('ERR_VALIDATION', `CSV column ${h} is unknown`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length) throw new ServerError('ERR_VALIDATION', `CSV line ${i + 2} has ${cells.length} fields, expected ${header.length}`);
    const tagsCell = col('tags') < 0 ? '' : cells[col('tags')]!;
    return { id: cells[col('id')]!, board: cells[col('board')]!, tags: tagsCell === '' ? [] : tagsCell.split(/[;\s]+/).filter(Boolean) };
  });
}

export class DeviceService {
  readonly #ctx: ServiceContext;
  readonly #configs: ConfigService;

  constructor(ctx: ServiceContext, configs: ConfigService) {
    this.#ctx = ctx;
    this.#configs = configs;
  }

  async updateTags(id: string, tags: readonly string[]): Promise<DeviceRecord> {
    if (!(await this.#ctx.store.updateDeviceTags(id, normaliseTags(tags)))) throw new ServerError('ERR_NOT_FOUND', `device ${id}`);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const deleted = await this.#ctx.store.deleteDevice(id);
    if (!deleted) throw new ServerError('ERR_NOT_FOUND', `device ${id}`);
  }

  /** All or nothing; ERR_DEVICE_EXISTS names the first id already registered (or repeated). */
  async register(devices: readonly DeviceRegistration[]): Promise<RegisteredDevice[]> {
    const seen = new Set<string>();
    for (const d of devices) {
      if (seen.has(d.id)) throw new ServerError('ERR_DEVICE_EXISTS', `${d.id} appears twice`);
      seen.add(d.id);
    }
    const out = devices.map((d) => ({ id: d.id, board: d.board, tags: normaliseTags(d.tags), claimSecret: generateSecret('claim') }));
    try {
      await this.#ctx.store.createDevices(out.map((d) => ({ id: d.id, board: d.board, tags: d.tags, claimHash: hashSecret(d.claimSecret) })), this.#ctx.now());
    } catch (error) {
      if (error instanceof StoreConflictError) throw new ServerError('ERR_DEVICE_EXISTS', error.message);
      throw error;
    }
    return out;
  }

  async get(id: string): Promise<DeviceRecord> {
    const device = await this.#ctx.store.getDevice(id);
    if (device === undefined) throw new ServerError('ERR_NOT_FOUND', `device ${id}`);
    return device;
  }

  /** New claim secret (a device whose flash was erased); its token and MQTT password stop working. */
  async resetClaim(id: string): Promise<string> {
    const claimSecret = generateSecret('claim');
    const reset = await this.#ctx.store.resetClaim(id, hashSecret(claimSecret));
    if (!reset) throw new ServerError('ERR_NOT_FOUND', `device ${id}`);
    return claimSecret;
  }

  async provision(deviceId: string, claimSecret: string): Promise<ProvisionAnswer> {
    const deviceToken = generateSecret('device');
    const mqttPassword = generateSecret('mqtt');
    const now = this.#ctx.now();
    const result = await this.#ctx.store.claimDevice(deviceId, hashSecret(claimSecret),
      { tokenHash: hashSecret(deviceToken), mqttPasswordHash: hashSecret(mqttPassword) }, now);
    if (result === 'invalid') throw new ServerError('ERR_CLAIM_INVALID');
    if (result === 'used') throw new ServerError('ERR_CLAIM_USED');
    const device = await this.get(deviceId);
    const config = await this.#configs.effectiveFor(device);
    const answer: ProvisionAnswer = {
      deviceToken,
      mqtt: { username: deviceId, password: mqttPassword, brokers: this.#ctx.mqtt.brokers.map((b) => ({ ...b })) },
      serverTimeMs: now,
    };
    if (this.#ctx.mqtt.topicPrefix !== undefined) answer.mqtt.topicPrefix = this.#ctx.mqtt.topicPrefix;
    if (config !== undefined) answer.config = config.document;
    return answer;
  }

  /** For a broker's authentication hook: username is the device id. */
  verifyMqtt(username: string, password: string): Promise<boolean> {
    return this.#ctx.store.verifyMqttPassword(username, hashSecret(password));
  }
}
