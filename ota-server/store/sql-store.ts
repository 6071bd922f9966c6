/**
 * The Store over either SQL engine. Every multi-row change is one statement or one
 * transaction, and every state change a concurrent instance could race is a compare-and-set
 * (`UPDATE ... WHERE state IN (...)`), so several servers on one PostgreSQL stay consistent.
 *
 * On SQLite, whose file the driver holds under an exclusive lock (so this process is its only
 * writer), device tokens are answered from memory; every write below that changes a device's
 * token, board, tags or existence updates the index once it has committed. Instances sharing a
 * PostgreSQL each read the database: another writer's changes would never reach an index.
 */
import { writeCheckIns } from './check-ins.js';
import { DeviceIndex } from './device-index.js';
import type { Row, SqlDriver, SqlExecutor } from './driver.js';
import { isUniqueViolation } from './driver.js';
import { migrate } from './migrations.js';
import {
  DEVICE_ROLLOUT_STATES, StoreConflictError,
  type ApiRole, type ApiTokenRecord, type CheckInEntry, type ConfigHistoryEntry, type ConfigRecord, type ConfigScope, type DeviceIdentity, type DeviceRecord,
  type DeviceRolloutState, type DeviceStatusRecord, type FirmwareRecord, type NewDevice, type NewRollout,
  type RolloutDeviceRecord, type RolloutExpectation, type RolloutPatch, type RolloutRecord, type RolloutState,
  type Store, type StoreDump, type TrustedKeyRecord,
} from './types.js';

const num = (v: unknown): number => Number(v);
const tagsOf = (v: unknown): string[] => JSON.parse(String(v)) as string[];
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  throw new TypeError('expected bytes from the database');
}

function tokenRow(r: Row): ApiTokenRecord {
  return { id: String(r.id), name: String(r.name), role: r.role as ApiRole, createdAtMs: num(r.created_at), revokedAtMs: numOrNull(r.revoked_at) };
}

function deviceRow(r: Row): DeviceRecord {
  return {
    id: String(r.id),
    board: String(r.board),
    tags: tagsOf(r.tags),
    createdAtMs: num(r.created_at),
    claimedAtMs: numOrNull(r.claimed_at),
    lastSeenAtMs: numOrNull(r.last_seen_at),
    status: r.status === null || r.status === undefined ? null : (JSON.parse(String(r.status)) as DeviceStatusRecord),
  };
}

function keyRow(r: Row): TrustedKeyRecord {
  return { id: String(r.id), name: String(r.name), publicKeyHex: String(r.public_key), createdAtMs: num(r.created_at), revokedAtMs: numOrNull(r.revoked_at) };
}

function firmwareRow(r: Row): FirmwareRecord {
  return {
    sha256: String(r.sha256), version: String(r.version), board: String(r.board), securityVersion: num(r.security_version),
    size: num(r.size), manifest: toBytes(r.manifest), keyId: String(r.key_id), createdAtMs: num(r.created_at),
    imageStoredAtMs: numOrNull(r.image_stored_at),
  };
}

function rolloutRow(r: Row): RolloutRecord {
  return {
    id: String(r.id), firmwareSha256: String(r.firmware_sha256), board: String(r.board),
    tags: tagsOf(r.tags), stages: JSON.parse(String(r.stages)) as number[],
    stageIndex: num(r.stage_index), state: r.state as RolloutState, failureThreshold: num(r.failure_threshold),
    minSample: num(r.min_sample), soakMs: numOrNull(r.soak_ms), stageStartedAtMs: num(r.stage_started_at),
    createdAtMs: num(r.created_at), updatedAtMs: num(r.updated_at), stateReason: strOrNull(r.state_reason),
  };
}

function rolloutDeviceRow(r: Row): RolloutDeviceRecord {
  return {
    rolloutId: String(r.rollout_id), deviceId: String(r.device_id), state: r.state as DeviceRolloutState,
    reason: strOrNull(r.reason), offeredAtMs: num(r.offered_at), updatedAtMs: num(r.updated_at),
  };
}

function configRow(r: Row): ConfigRecord {
  return { scope: String(r.scope), version: num(r.version), document: JSON.parse(String(r.document)), updatedAtMs: num(r.updated_at) };
}

function configHistoryRow(r: Row): ConfigHistoryEntry {
  return {
    version: num(r.version), scope: String(r.scope), document: r.document === null ? null : JSON.parse(String(r.document)) as unknown, createdAtMs: num(r.created_at),
  };
}

/** Board plus sorted distinct tags: "one live rollout per target" is a unique index on it. */
export function targetKey(board: string, tags: readonly string[]): string {
  return JSON.stringify([board, [...new Set(tags)].sort()]);
}

async function loadDeviceIndex(db: SqlExecutor): Promise<DeviceIndex> {
  const index = new DeviceIndex();
  for (const r of await db.all('SELECT token_hash, id, board, tags FROM devices WHERE token_hash IS NOT NULL')) {
    index.set(String(r.token_hash), String(r.id), String(r.board), tagsOf(r.tags));
  }
  return index;
}

/** Devices with their check-in status, which lives in a narrow table of its own (migration 2). */
const DEVICES = 'devices LEFT JOIN device_status ON device_status.device_id = devices.id';
const DEVICE_COLUMNS = 'devices.id, board, tags, created_at, claimed_at, last_seen_at, status';

/**
 * What dump() reads, table by table. A device's status is dumped in its devices row, in the
 * two last columns where it was before migration 2, so dumps keep one shape across versions.
 */
const DUMPS: ReadonlyArray<[string, string]> = [
  ['schema_migrations', 'SELECT * FROM schema_migrations ORDER BY version'],
  ['api_tokens', 'SELECT * FROM api_tokens ORDER BY id'],
  ['devices', `SELECT devices.*, last_seen_at, status FROM ${DEVICES} ORDER BY devices.id`],
  ['trusted_keys', 'SELECT * FROM trusted_keys ORDER BY id'],
  ['firmware', 'SELECT * FROM firmware ORDER BY sha256'],
  ['rollouts', 'SELECT * FROM rollouts ORDER BY id'],
  ['rollout_devices', 'SELECT * FROM rollout_devices ORDER BY rollout_id, device_id'],
  ['config_versions', 'SELECT * FROM config_versions ORDER BY version'],
  ['configs', 'SELECT * FROM configs ORDER BY scope'],
];

const LIVE_ROLLOUT = "state IN ('active', 'paused')";

export class SqlStore implements Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly #db: SqlDriver;
  readonly #index: DeviceIndex | undefined;

  private constructor(driver: SqlDriver, index: DeviceIndex | undefined) {
    this.#db = driver;
    this.kind = driver.dialect;
    this.#index = index;
  }

  /** Opens the store and brings its schema up to date. */
  static async open(driver: SqlDriver, nowMs: number): Promise<SqlStore> {
    try {
      await migrate(driver, nowMs);
      return new SqlStore(driver, driver.dialect === 'sqlite' ? await loadDeviceIndex(driver) : undefined);
    } catch (error) {
      await driver.close();
      throw error;
    }
  }

  async migrations(): Promise<number[]> {
    return (await this.#db.all('SELECT version FROM schema_migrations ORDER BY version')).map((r) => num(r.version));
  }

  async ping(): Promise<void> {
    await this.#db.get('SELECT 1 AS one');
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  async dump(): Promise<StoreDump> {
    const dump: StoreDump = {};
    for (const [table, select] of DUMPS) {
      const rows = await this.#db.all(select);
      dump[table] = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) =>
        [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'bigint' ? Number(v) : v])));
    }
    return dump;
  }

  // ---- API tokens

  async createApiToken(token: ApiTokenRecord, tokenHash: string): Promise<void> {
    try {
      await this.#db.run('INSERT INTO api_tokens (id, name, role, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
        [token.id, token.name, token.role, tokenHash, token.createdAtMs, token.revokedAtMs]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreConflictError('token_exists', `token ${token.id} exists`);
      throw error;
    }
  }

  async findApiTokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const r = await this.#db.get('SELECT id, name, role, created_at, revoked_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL', [tokenHash]);
    return r === undefined ? undefined : tokenRow(r);
  }

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    return (await this.#db.all('SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY created_at, id')).map(tokenRow);
  }

  async revokeApiToken(id: string, atMs: number): Promise<boolean> {
    return (await this.#db.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [atMs, id])) === 1;
  }

  async countLiveAdminTokens(): Promise<number> {
    const r = await this.#db.get("SELECT COUNT(*) AS n FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL");
    return num(r?.n ?? 0);
  }

  // ---- devices

  async createDevices(devices: readonly NewDevice[], atMs: number): Promise<void> {
    // Nothing for the device index: a new device has no token until it is claimed.
    await this.#db.transaction(async (tx) => {
      for (const d of devices) {
        const changed = await tx.run(
          'INSERT INTO devices (id, board, tags, created_at, claim_hash) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
          [d.id, d.board, JSON.stringify(d.tags), atMs, d.claimHash]);
        if (changed !== 1) throw new StoreConflictError('device_exists', `device ${d.id} exists`);
      }
    });
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    const r = await this.#db.get(`SELECT ${DEVICE_COLUMNS} FROM ${DEVICES} WHERE devices.id = ?`, [id]);
    return r === undefined ? undefined : deviceRow(r);
  }

  /** WHERE clause and parameters of a device filter. Tags are a JSON array of strings; the quoted form cannot match inside another tag. */
  #deviceFilter(filter: { board?: string; tag?: string }): { clause: string; params: Array<string | number> } {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.board !== undefined) { where.push('board = ?'); params.push(filter.board); }
    if (filter.tag !== undefined) {
      where.push("tags LIKE ? ESCAPE '\\'");
      params.push(`%${JSON.stringify(filter.tag).replace(/[%_\\]/g, '\\$&')}%`);
    }
    return { clause: where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`, params };
  }

  async listDevices(filter: { board?: string; tag?: string; limit: number; offset: number }): Promise<DeviceRecord[]> {
    const { clause, params } = this.#deviceFilter(filter);
    return (await this.#db.all(`SELECT ${DEVICE_COLUMNS} FROM ${DEVICES} ${clause} ORDER BY devices.id LIMIT ? OFFSET ?`, [...params, filter.limit, filter.offset])).map(deviceRow);
  }

  async listDevicesOfBoard(board: string): Promise<DeviceRecord[]> {
    return (await this.#db.all(`SELECT ${DEVICE_COLUMNS} FROM ${DEVICES} WHERE board = ? ORDER BY devices.id`, [board])).map(deviceRow);
  }

  async countDevices(filter: { board?: string; tag?: string } = {}): Promise<number> {
    const { clause, params } = this.#deviceFilter(filter);
    return num((await this.#db.get(`SELECT COUNT(*) AS n FROM devices ${clause}`, params))?.n ?? 0);
  }

  async updateDeviceTags(id: string, tags: readonly string[]): Promise<boolean> {
    const updated = (await this.#db.run('UPDATE devices SET tags = ? WHERE id = ?', [JSON.stringify(tags), id])) === 1;
    if (updated) this.#index?.retag(id, tags);
    return updated;
  }

  async deleteDevice(id: string): Promise<boolean> {
    const deleted = await this.#db.transaction(async (tx) => {
      await tx.run('DELETE FROM rollout_devices WHERE device_id = ?', [id]);
      return (await tx.run('DELETE FROM devices WHERE id = ?', [id])) === 1;
    });
    if (deleted) this.#index?.remove(id);
    return deleted;
  }

  async findDeviceByTokenHash(tokenHash: string): Promise<DeviceIdentity | undefined> {
    if (this.#index !== undefined) return this.#index.get(tokenHash);
    const r = await this.#db.get('SELECT id, board, tags FROM devices WHERE token_hash = ?', [tokenHash]);
    return r === undefined ? undefined : { id: String(r.id), board: String(r.board), tags: tagsOf(r.tags) };
  }

  async claimDevice(id: string, claimHash: string, credentials: { tokenHash: string; mqttPasswordHash: string }, atMs: number):
    Promise<'claimed' | 'used' | 'invalid'> {
    // RETURNING: the index gets board and tags from the very row claimed, with no second read.
    const claimed = await this.#db.get(
      'UPDATE devices SET claimed_at = ?, token_hash = ?, mqtt_password_hash = ? WHERE id = ? AND claim_hash = ? AND claimed_at IS NULL RETURNING board, tags',
      [atMs, credentials.tokenHash, credentials.mqttPasswordHash, id, claimHash]);
    if (claimed !== undefined) {
      this.#index?.set(credentials.tokenHash, id, String(claimed.board), tagsOf(claimed.tags));
      return 'claimed';
    }
    const used = await this.#db.get('SELECT 1 AS one FROM devices WHERE id = ? AND claim_hash = ? AND claimed_at IS NOT NULL', [id, claimHash]);
    return used === undefined ? 'invalid' : 'used';
  }

  async resetClaim(id: string, claimHash: string): Promise<boolean> {
    const reset = (await this.#db.run(
      'UPDATE devices SET claim_hash = ?, claimed_at = NULL, token_hash = NULL, mqtt_password_hash = NULL WHERE id = ?', [claimHash, id])) === 1;
    if (reset) this.#index?.remove(id);
    return reset;
  }

  async verifyMqttPassword(deviceId: string, passwordHash: string): Promise<boolean> {
    return (await this.#db.get('SELECT 1 AS one FROM devices WHERE id = ? AND mqtt_password_hash = ?', [deviceId, passwordHash])) !== undefined;
  }

  async recordCheckIns(entries: ReadonlyArray<CheckInEntry>): Promise<void> {
    await writeCheckIns(this.#db, entries);
  }

  // ---- trusted keys

  async addTrustedKey(key: TrustedKeyRecord): Promise<void> {
    try {
      await this.#db.run('INSERT INTO trusted_keys (id, name, public_key, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)',
        [key.id, key.name, key.publicKeyHex, key.createdAtMs, key.revokedAtMs]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreConflictError('key_exists', `key ${key.id} or its public key exists`);
      throw error;
    }
  }

  async listTrustedKeys(): Promise<TrustedKeyRecord[]> {
    return (await this.#db.all('SELECT * FROM trusted_keys ORDER BY created_at, id')).map(keyRow);
  }

  async revokeTrustedKey(id: string, atMs: number): Promise<boolean> {
    return (await this.#db.run('UPDATE trusted_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [atMs, id])) === 1;
  }

  // ---- firmware

  async createFirmware(f: FirmwareRecord): Promise<void> {
    try {
      await this.#db.run(
        `INSERT INTO firmware (sha256, version, board, security_version, size, manifest, key_id, created_at, image_stored_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [f.sha256, f.version, f.board, f.securityVersion, f.size, f.manifest, f.keyId, f.createdAtMs, f.imageStoredAtMs]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreConflictError('firmware_exists', `firmware ${f.sha256} exists`);
      throw error;
    }
  }

  async getFirmware(sha256: string): Promise<FirmwareRecord | undefined> {
    const r = await this.#db.get('SELECT * FROM firmware WHERE sha256 = ?', [sha256]);
    return r === undefined ? undefined : firmwareRow(r);
  }

  async listFirmware(): Promise<FirmwareRecord[]> {
    return (await this.#db.all('SELECT * FROM firmware ORDER BY created_at, sha256')).map(firmwareRow);
  }

  async markFirmwareImageStored(sha256: string, atMs: number): Promise<boolean> {
    return (await this.#db.run('UPDATE firmware SET image_stored_at = ? WHERE sha256 = ? AND image_stored_at IS NULL', [atMs, sha256])) === 1;
  }

  async deleteFirmware(sha256: string): Promise<'deleted' | 'in_use' | 'missing'> {
    return this.#db.transaction(async (tx) => {
      if ((await tx.get('SELECT 1 AS one FROM firmware WHERE sha256 = ?', [sha256])) === undefined) return 'missing';
      if ((await tx.get(`SELECT 1 AS one FROM rollouts WHERE firmware_sha256 = ? AND ${LIVE_ROLLOUT}`, [sha256])) !== undefined) return 'in_use';
      // Finished rollouts keep their history; their rows are removed with the image they name.
      await tx.run('DELETE FROM rollout_devices WHERE rollout_id IN (SELECT id FROM rollouts WHERE firmware_sha256 = ?)', [sha256]);
      await tx.run('DELETE FROM rollouts WHERE firmware_sha256 = ?', [sha256]);
      await tx.run('DELETE FROM firmware WHERE sha256 = ?', [sha256]);
      return 'deleted';
    });
  }

  // ---- rollouts

  async createRollout(r: NewRollout): Promise<RolloutRecord> {
    try {
      const row = await this.#db.get(
        `INSERT INTO rollouts (id, firmware_sha256, board, tags, target_key, stages, stage_index, state, failure_threshold,
           min_sample, soak_ms, stage_started_at, created_at, updated_at, state_reason)
         VALUES (?, ?, ?, ?, ?, ?, 0, 'active', ?, ?, ?, ?, ?, ?, NULL) RETURNING *`,
        [r.id, r.firmwareSha256, r.board, JSON.stringify(r.tags), targetKey(r.board, r.tags), JSON.stringify(r.stages),
          r.failureThreshold, r.minSample, r.soakMs, r.createdAtMs, r.createdAtMs, r.createdAtMs]);
      return rolloutRow(row!);
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreConflictError('rollout_target_busy', 'an active or paused rollout already has this target');
      throw error;
    }
  }

  async getRollout(id: string): Promise<RolloutRecord | undefined> {
    const r = await this.#db.get('SELECT * FROM rollouts WHERE id = ?', [id]);
    return r === undefined ? undefined : rolloutRow(r);
  }

  async listRollouts(filter: { states?: readonly RolloutState[] } = {}): Promise<RolloutRecord[]> {
    const states = filter.states;
    if (states !== undefined && states.length === 0) return [];
    const where = states === undefined ? '' : `WHERE state IN (${states.map(() => '?').join(', ')})`;
    return (await this.#db.all(`SELECT * FROM rollouts ${where} ORDER BY created_at, id`, states ?? [])).map(rolloutRow);
  }

  async updateRollout(id: string, expect: RolloutExpectation, patch: RolloutPatch, atMs: number): Promise<RolloutRecord | undefined> {
    const sets: string[] = ['updated_at = ?'];
    const params: Array<string | number | null> = [atMs];
    if (patch.state !== undefined) { sets.push('state = ?'); params.push(patch.state); }
    if (patch.stageIndex !== undefined) { sets.push('stage_index = ?'); params.push(patch.stageIndex); }
    if (patch.stageStartedAtMs !== undefined) { sets.push('stage_started_at = ?'); params.push(patch.stageStartedAtMs); }
    if (patch.stateReason !== undefined) { sets.push('state_reason = ?'); params.push(patch.stateReason); }
    const where = ['id = ?'];
    params.push(id);
    if (expect.state !== undefined) {
      if (expect.state.length === 0) return undefined;
      where.push(`state IN (${expect.state.map(() => '?').join(', ')})`);
      params.push(...expect.state);
    }
    if (expect.stageIndex !== undefined) { where.push('stage_index = ?'); params.push(expect.stageIndex); }
    try {
      const row = await this.#db.get(`UPDATE rollouts SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING *`, params);
      return row === undefined ? undefined : rolloutRow(row);
    } catch (error) {
      // Resuming a rollout whose target got a new live rollout meanwhile.
      if (isUniqueViolation(error)) throw new StoreConflictError('rollout_target_busy', 'an active or paused rollout already has this target');
      throw error;
    }
  }

  async getRolloutDevice(rolloutId: string, deviceId: string): Promise<RolloutDeviceRecord | undefined> {
    const r = await this.#db.get('SELECT * FROM rollout_devices WHERE rollout_id = ? AND device_id = ?', [rolloutId, deviceId]);
    return r === undefined ? undefined : rolloutDeviceRow(r);
  }

  async listRolloutDevicesOfDevice(deviceId: string): Promise<RolloutDeviceRecord[]> {
    return (await this.#db.all('SELECT * FROM rollout_devices WHERE device_id = ? ORDER BY offered_at DESC, rollout_id', [deviceId])).map(rolloutDeviceRow);
  }

  async listRolloutDevices(rolloutId: string, filter: { state?: DeviceRolloutState; limit: number; offset: number }): Promise<RolloutDeviceRecord[]> {
    const byState = filter.state === undefined ? '' : 'AND state = ?';
    const params: Array<string | number> = [rolloutId];
    if (filter.state !== undefined) params.push(filter.state);
    params.push(filter.limit, filter.offset);
    return (await this.#db.all(`SELECT * FROM rollout_devices WHERE rollout_id = ? ${byState} ORDER BY device_id LIMIT ? OFFSET ?`, params))
      .map(rolloutDeviceRow);
  }

  async findOfferOfFirmware(deviceId: string, sha256: string): Promise<RolloutDeviceRecord | undefined> {
    const r = await this.#db.get(
      'SELECT rd.* FROM rollout_devices rd JOIN rollouts r ON r.id = rd.rollout_id WHERE rd.device_id = ? AND r.firmware_sha256 = ? ORDER BY rd.offered_at DESC LIMIT 1',
      [deviceId, sha256]);
    return r === undefined ? undefined : rolloutDeviceRow(r);
  }

  async offerRolloutDevice(rolloutId: string, deviceId: string, atMs: number): Promise<RolloutDeviceRecord> {
    await this.#db.run(
      "INSERT INTO rollout_devices (rollout_id, device_id, state, reason, offered_at, updated_at) VALUES (?, ?, 'offered', NULL, ?, ?) ON CONFLICT (rollout_id, device_id) DO NOTHING",
      [rolloutId, deviceId, atMs, atMs]);
    const row = await this.getRolloutDevice(rolloutId, deviceId);
    if (row === undefined) throw new Error(`rollout device row ${rolloutId}/${deviceId} vanished`);
    return row;
  }

  async transitionRolloutDevice(rolloutId: string, deviceId: string, from: readonly DeviceRolloutState[], to: DeviceRolloutState,
    reason: string | null, atMs: number): Promise<boolean> {
    if (from.length === 0) return false;
    return (await this.#db.run(
      `UPDATE rollout_devices SET state = ?, reason = ?, updated_at = ? WHERE rollout_id = ? AND device_id = ? AND state IN (${from.map(() => '?').join(', ')})`,
      [to, reason, atMs, rolloutId, deviceId, ...from])) === 1;
  }

  async countRolloutDevices(rolloutId: string): Promise<Record<DeviceRolloutState, number>> {
    const counts = Object.fromEntries(DEVICE_ROLLOUT_STATES.map((s) => [s, 0])) as Record<DeviceRolloutState, number>;
    for (const r of await this.#db.all('SELECT state, COUNT(*) AS n FROM rollout_devices WHERE rollout_id = ? GROUP BY state', [rolloutId])) {
      counts[r.state as DeviceRolloutState] = num(r.n);
    }
    return counts;
  }

  // ---- remote config

  async putConfig(scope: ConfigScope, document: unknown, atMs: number): Promise<ConfigRecord> {
    const text = JSON.stringify(document);
    return this.#db.transaction(async (tx) => {
      const row = await tx.get('INSERT INTO config_versions (scope, document, created_at) VALUES (?, ?, ?) RETURNING version', [scope, text, atMs]);
      const version = num(row!.version);
      await tx.run(
        'INSERT INTO configs (scope, version, document, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope) DO UPDATE SET version = excluded.version, document = excluded.document, updated_at = excluded.updated_at',
        [scope, version, text, atMs]);
      return { scope, version, document: JSON.parse(text) as unknown, updatedAtMs: atMs };
    });
  }

  async deleteConfig(scope: ConfigScope, atMs: number): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      if ((await tx.run('DELETE FROM configs WHERE scope = ?', [scope])) !== 1) return false;
      await tx.run('INSERT INTO config_versions (scope, document, created_at) VALUES (?, NULL, ?)', [scope, atMs]);
      return true;
    });
  }

  async getConfig(scope: ConfigScope): Promise<ConfigRecord | undefined> {
    const r = await this.#db.get('SELECT * FROM configs WHERE scope = ?', [scope]);
    return r === undefined ? undefined : configRow(r);
  }

  async listConfigVersions(): Promise<Array<{ scope: ConfigScope; version: number }>> {
    return (await this.#db.all('SELECT scope, version FROM configs ORDER BY scope')).map((r) => ({ scope: String(r.scope), version: num(r.version) }));
  }

  async getConfigVersion(version: number): Promise<ConfigHistoryEntry | undefined> {
    const r = await this.#db.get('SELECT * FROM config_versions WHERE version = ?', [version]);
    return r === undefined ? undefined : configHistoryRow(r);
  }

  async listConfigs(): Promise<ConfigRecord[]> {
    return (await this.#db.all('SELECT * FROM configs ORDER BY scope')).map(configRow);
  }

  async configHistory(scope: ConfigScope, limit: number): Promise<ConfigHistoryEntry[]> {
    return (await this.#db.all('SELECT * FROM config_versions WHERE scope = ? ORDER BY version DESC LIMIT ?', [scope, limit])).map(configHistoryRow);
  }
}
