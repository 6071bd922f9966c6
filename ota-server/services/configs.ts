/**
 * Remote config (design section 5): NodeConfig documents kept per scope, `fleet`,
 * `tag:<tag>` and `device:<id>`, each version numbered from one fleet-wide sequence.
 *
 * A device's effective document is the most specific that exists: its own, else the newest of
 * its tags' documents, else the fleet's. Documents are whole (no merging), so what an operator
 * reads is exactly what the device gets. The server fills in `deviceId` and `version` (a stored
 * document may not carry them): the device's configVersion then names one stored document, and
 * any change of the effective document (a new version, a deletion falling back to another
 * scope, a tag change) changes the version the device compares at check-in.
 */
import { FirmwareError, validateNodeConfig } from '../core.js';
import { ServerError } from '../errors.js';
import type { ConfigRecord, DeviceRecord } from '../store/types.js';
import type { ServiceContext } from './context.js';

const SERVER_FILLED = ['deviceId', 'version'] as const;
/** Any id that passes DEVICE_ID, to validate documents that are not for one device. */
const PROBE_DEVICE_ID = 'config-probe';

export type ConfigScopeKind = 'fleet' | 'tag' | 'device';

export function scopeName(kind: ConfigScopeKind, name?: string): string {
  return kind === 'fleet' ? 'fleet' : `${kind}:${name ?? ''}`;
}

export interface EffectiveConfig {
  scope: string;
  version: number;
  /** The document as the device receives it (deviceId and version filled in). */
  document: Record<string, unknown>;
}

export class ConfigService {
  readonly #ctx: ServiceContext;
  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
  }

  /** Throws FirmwareError ERR_CONFIG_INVALID naming the first bad field (answered 400). */
  validate(scope: string, document: unknown): Record<string, unknown> {
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      throw new FirmwareError('ERR_CONFIG_INVALID', 'config: expected an object', { path: 'config' });
    }
    const doc = document as Record<string, unknown>;
    for (const key of SERVER_FILLED) {
      if (key in doc) throw new FirmwareError('ERR_CONFIG_INVALID', `${key}: set by the server, leave it out`, { path: key });
    }
    const deviceId = scope.startsWith('device:') ? scope.slice('device:'.length) : PROBE_DEVICE_ID;
    validateNodeConfig({ ...doc, deviceId, version: 1 });
    return doc;
  }

  put(scope: string, document: unknown): Promise<ConfigRecord> {
    return this.#ctx.store.putConfig(scope, this.validate(scope, document), this.#ctx.now());
  }

  async get(scope: string): Promise<ConfigRecord> {
    const record = await this.#ctx.store.getConfig(scope);
    if (record === undefined) throw new ServerError('ERR_NOT_FOUND', `no config for ${scope}`);
    return record;
  }

  async remove(scope: string): Promise<void> {
    if (!(await this.#ctx.store.deleteConfig(scope, this.#ctx.now()))) throw new ServerError('ERR_NOT_FOUND', `no config for ${scope}`);
  }

  async effectiveFor(device: Pick<DeviceRecord, 'id' | 'tags'>): Promise<EffectiveConfig | undefined> {
    const scopes = [`device:${device.id}`, 'fleet', ...device.tags.map((t) => `tag:${t}`)];
    const records = await this.#ctx.store.getConfigs(scopes);
    if (records.length === 0) return undefined;
    let chosen: ConfigRecord | undefined = records.find((r) => r.scope === scopes[0]);
    if (chosen === undefined) {
      for (const r of records) if (r.scope.startsWith('tag:') && (chosen === undefined || r.version > chosen.version)) chosen = r;
    }
    chosen ??= records.find((r) => r.scope === 'fleet');
    if (chosen === undefined) return undefined;
    return {
      scope: chosen.scope,
      version: chosen.version,
      document: { ...(chosen.document as Record<string, unknown>), deviceId: device.id, version: chosen.version },
    };
  }
}
