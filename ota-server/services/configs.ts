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
import type { ConfigRecord, DeviceIdentity } from '../store/types.js';
import type { ServiceContext } from './context.js';
import { CHECK_IN_CACHE_MS, TtlValue } from './ttl-cache.js';

const SERVER_FILLED = ['deviceId', 'version'] as const;
/** Any id that passes DEVICE_ID, to validate documents that are not for one device. */
const PROBE_DEVICE_ID = 'config-probe';

export type ConfigScopeKind = 'fleet' | 'tag' | 'device';

export function scopeName(kind: ConfigScopeKind, name?: string): string {
  return kind === 'fleet' ? 'fleet' : `${kind}:${name ?? ''}`;
}

/** scopeName read back: undefined for a string it does not make. */
export function scopeParts(scope: string): { kind: ConfigScopeKind; name: string } | undefined {
  if (scope === 'fleet') return { kind: 'fleet', name: '' };
  const colon = scope.indexOf(':');
  const kind = scope.slice(0, colon);
  return colon > 0 && (kind === 'tag' || kind === 'device') ? { kind, name: scope.slice(colon + 1) } : undefined;
}

export interface EffectiveConfig {
  scope: string;
  version: number;
  /** The document as the device receives it (deviceId and version filled in). */
  document: Record<string, unknown>;
}

/**
 * Every scope's current version, by kind, each keyed by the name a device identity carries (its
 * id, its tags), so a check-in looks them up without building a scope string.
 */
interface ScopeVersion { scope: string; version: number }
interface CurrentVersions {
  fleet: ScopeVersion | undefined;
  tags: Map<string, ScopeVersion>;
  devices: Map<string, ScopeVersion>;
}

function currentVersions(rows: readonly ScopeVersion[]): CurrentVersions {
  const current: CurrentVersions = { fleet: undefined, tags: new Map(), devices: new Map() };
  for (const row of rows) {
    const parts = scopeParts(row.scope);
    const entry = { scope: row.scope, version: row.version };
    if (parts?.kind === 'fleet') current.fleet = entry;
    else if (parts?.kind === 'tag') current.tags.set(parts.name, entry);
    else if (parts?.kind === 'device') current.devices.set(parts.name, entry);
  }
  return current;
}

/** A version names one document forever, so parsed documents can be kept by version on any instance. */
const DOCUMENT_CACHE_SIZE = 256;

export class ConfigService {
  readonly #ctx: ServiceContext;
  readonly #documents = new Map<number, Record<string, unknown>>();
  readonly #versions = new TtlValue<CurrentVersions>(CHECK_IN_CACHE_MS);

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
  }

  async #currentVersions(): Promise<CurrentVersions> {
    let current = this.#versions.get();
    if (current === undefined) {
      current = currentVersions(await this.#ctx.store.listConfigVersions());
      this.#versions.set(current);
    }
    return current;
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
    const parts = scopeParts(scope);
    const deviceId = parts?.kind === 'device' ? parts.name : PROBE_DEVICE_ID;
    validateNodeConfig({ ...doc, deviceId, version: 1 });
    return doc;
  }

  async put(scope: string, document: unknown): Promise<ConfigRecord> {
    const record = await this.#ctx.store.putConfig(scope, this.validate(scope, document), this.#ctx.now());
    this.#versions.clear();
    return record;
  }

  async get(scope: string): Promise<ConfigRecord> {
    const record = await this.#ctx.store.getConfig(scope);
    if (record === undefined) throw new ServerError('ERR_NOT_FOUND', `no config for ${scope}`);
    return record;
  }

  async remove(scope: string): Promise<void> {
    const deleted = await this.#ctx.store.deleteConfig(scope, this.#ctx.now());
    this.#versions.clear();
    if (!deleted) throw new ServerError('ERR_NOT_FOUND', `no config for ${scope}`);
  }

  /**
   * The device's effective document. Only scopes and versions are read first; when the device
   * already runs `knownVersion`, the document is not read at all (the common check-in), and
   * the answer carries only scope and version.
   */
  async effectiveFor(device: Pick<DeviceIdentity, 'id' | 'tags'>, knownVersion?: number): Promise<EffectiveConfig | undefined> {
    const current = await this.#currentVersions();
    let found = current.devices.get(device.id);
    if (found === undefined) {
      for (const tag of device.tags) {
        const t = current.tags.get(tag);
        if (t !== undefined && (found === undefined || t.version > found.version)) found = t;
      }
    }
    found ??= current.fleet;
    if (found === undefined) return undefined;
    const { scope, version } = found;
    if (version === knownVersion) return { scope, version, document: {} };
    const stored = await this.#document(version);
    if (stored === undefined) return undefined; // replaced between the two reads: the next check-in gets the new one
    return { scope, version, document: { ...stored, deviceId: device.id, version } };
  }

  async #document(version: number): Promise<Record<string, unknown> | undefined> {
    let doc = this.#documents.get(version);
    if (doc === undefined) {
      const entry = await this.#ctx.store.getConfigVersion(version);
      if (entry === undefined || entry.document === null) return undefined;
      doc = entry.document as Record<string, unknown>;
      if (this.#documents.size >= DOCUMENT_CACHE_SIZE) this.#documents.delete(this.#documents.keys().next().value!);
      this.#documents.set(version, doc);
    }
    return doc;
  }
}
