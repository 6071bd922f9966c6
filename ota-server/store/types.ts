/**
 * The server's storage contract. One interface, two engines (sqlite.ts and postgres.ts share
 * sql-store.ts); test/server/store-contract.ts holds both to the same behaviour. Every method is
 * async because pg is, even though better-sqlite3 answers synchronously. Times are UTC
 * milliseconds passed in by the caller (the app owns the clock), never read here.
 *
 * Secrets never reach this layer in clear: callers hand over SHA-256 hex digests
 * (see ../auth/secrets.ts for why a fast hash is right for high-entropy tokens).
 */

export type ApiRole = 'viewer' | 'operator' | 'admin';
export const API_ROLES: readonly ApiRole[] = Object.freeze(['viewer', 'operator', 'admin']);

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: ApiRole;
  createdAtMs: number;
  revokedAtMs: number | null;
}

/** What a device last told the server about itself (check-in). Stored as JSON. */
export interface DeviceStatusRecord {
  firmwareVersion: string;
  slot: number;
  bootState: string;
  batteryVolts: number;
  configVersion: number;
  outbox: { records: number; bytes: number; dropped: number; thinned: number };
  lastOutcome?: { kind: string; version: string; reason?: string };
}

/** One check-in's last-seen time and status, as Store.recordCheckIns takes them. */
export interface CheckInEntry { readonly deviceId: string; readonly status: DeviceStatusRecord; readonly atMs: number }

export interface DeviceRecord {
  id: string;
  board: string;
  tags: string[];
  createdAtMs: number;
  /** When the claim secret was exchanged for credentials; null while unclaimed. */
  claimedAtMs: number | null;
  lastSeenAtMs: number | null;
  status: DeviceStatusRecord | null;
}

/**
 * What authentication needs of a device: the check-in path reads nothing more. Read-only
 * because the SQLite store hands every caller the same frozen object.
 */
export interface DeviceIdentity {
  readonly id: string;
  readonly board: string;
  readonly tags: readonly string[];
}

export interface NewDevice {
  id: string;
  board: string;
  tags: string[];
  claimHash: string;
}

export interface TrustedKeyRecord {
  id: string;
  name: string;
  /** Raw Ed25519 public key, 32 bytes, lower-case hex. */
  publicKeyHex: string;
  createdAtMs: number;
  revokedAtMs: number | null;
}

export interface FirmwareRecord {
  /** SHA-256 of the image, lower-case hex: the content address. */
  sha256: string;
  version: string;
  board: string;
  securityVersion: number;
  size: number;
  /** The signed manifest exactly as uploaded (COSE_Sign1 bytes). */
  manifest: Uint8Array;
  /** Trusted key that verified the manifest. */
  keyId: string;
  createdAtMs: number;
  /** Null until the image bytes are stored and checked against the manifest. */
  imageStoredAtMs: number | null;
}

export type RolloutState = 'active' | 'paused' | 'completed' | 'aborted';
export const ROLLOUT_STATES: readonly RolloutState[] = Object.freeze(['active', 'paused', 'completed', 'aborted']);

export interface RolloutRecord {
  id: string;
  firmwareSha256: string;
  board: string;
  tags: string[];
  /** Fleet percentages, strictly increasing, each in (0, 100]. */
  stages: number[];
  stageIndex: number;
  state: RolloutState;
  /** Pause when (failed + rolled_back) / attempted exceeds this (0..1). */
  failureThreshold: number;
  /** ...and attempted is at least this. */
  minSample: number;
  /** Advance automatically after this long in a stage; null = by hand only. */
  soakMs: number | null;
  stageStartedAtMs: number;
  createdAtMs: number;
  updatedAtMs: number;
  /** Why the rollout was paused or aborted (operator text or the automatic rule). */
  stateReason: string | null;
}

export type NewRollout = Omit<RolloutRecord, 'stageIndex' | 'state' | 'stageStartedAtMs' | 'updatedAtMs' | 'stateReason'>;

export type DeviceRolloutState = 'offered' | 'downloading' | 'installed' | 'succeeded' | 'failed' | 'rolled_back';
export const DEVICE_ROLLOUT_STATES: readonly DeviceRolloutState[] =
  Object.freeze(['offered', 'downloading', 'installed', 'succeeded', 'failed', 'rolled_back']);

export interface RolloutDeviceRecord {
  rolloutId: string;
  deviceId: string;
  state: DeviceRolloutState;
  reason: string | null;
  offeredAtMs: number;
  updatedAtMs: number;
}

/** `fleet`, `tag:<tag>` or `device:<id>`. */
export type ConfigScope = string;

export interface ConfigRecord {
  scope: ConfigScope;
  /** From one fleet-wide sequence, so a version names exactly one document. */
  version: number;
  document: unknown;
  updatedAtMs: number;
}

export interface ConfigHistoryEntry {
  version: number;
  scope: ConfigScope;
  /** Null for a deletion. */
  document: unknown;
  createdAtMs: number;
}

/** Compare-and-set guard for rollout updates: the row must still be in this state and stage. */
export interface RolloutExpectation {
  state?: readonly RolloutState[];
  stageIndex?: number;
}

export type RolloutPatch = Partial<Pick<RolloutRecord, 'state' | 'stageIndex' | 'stageStartedAtMs' | 'stateReason'>>;

/** Plain, comparable snapshot of every table (tests compare it before and after bad input). */
export type StoreDump = Record<string, Array<Record<string, unknown>>>;

export class StoreConflictError extends Error {
  readonly conflict: string;
  constructor(conflict: string, message: string) {
    super(message);
    this.conflict = conflict;
  }
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Applied migration versions, ascending. */
  migrations(): Promise<number[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  dump(): Promise<StoreDump>;

  // API tokens
  createApiToken(token: ApiTokenRecord, tokenHash: string): Promise<void>;
  findApiTokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  listApiTokens(): Promise<ApiTokenRecord[]>;
  /** True if it was live and is now revoked. */
  revokeApiToken(id: string, atMs: number): Promise<boolean>;
  countLiveAdminTokens(): Promise<number>;

  // devices
  /** All or nothing: throws StoreConflictError('device_exists') naming the first duplicate. */
  createDevices(devices: readonly NewDevice[], atMs: number): Promise<void>;
  getDevice(id: string): Promise<DeviceRecord | undefined>;
  listDevices(filter: { board?: string; tag?: string; limit: number; offset: number }): Promise<DeviceRecord[]>;
  /** Every device of a board (for cohort counts); tags filtering is the caller's. */
  listDevicesOfBoard(board: string): Promise<DeviceRecord[]>;
  /** Devices matching the filter (all without one). */
  countDevices(filter?: { board?: string; tag?: string }): Promise<number>;
  updateDeviceTags(id: string, tags: readonly string[]): Promise<boolean>;
  /** Removes the device, its check-in status and its rollout rows. */
  deleteDevice(id: string): Promise<boolean>;
  findDeviceByTokenHash(tokenHash: string): Promise<DeviceIdentity | undefined>;
  /**
   * Exchange a claim atomically: succeeds once per claim secret. 'used' when the hash matches
   * a claim already exchanged, 'invalid' for an unknown device or a wrong secret.
   */
  claimDevice(id: string, claimHash: string, credentials: { tokenHash: string; mqttPasswordHash: string }, atMs: number):
    Promise<'claimed' | 'used' | 'invalid'>;
  /** New claim secret; revokes the device's token and MQTT password. */
  resetClaim(id: string, claimHash: string): Promise<boolean>;
  verifyMqttPassword(deviceId: string, passwordHash: string): Promise<boolean>;
  /**
   * Last-seen and status from check-ins, possibly many devices at once (write-behind batches).
   * Devices that no longer exist are skipped; a device named twice keeps its last entry.
   */
  recordCheckIns(entries: ReadonlyArray<CheckInEntry>): Promise<void>;

  // trusted keys
  addTrustedKey(key: TrustedKeyRecord): Promise<void>;
  listTrustedKeys(): Promise<TrustedKeyRecord[]>;
  revokeTrustedKey(id: string, atMs: number): Promise<boolean>;

  // firmware
  createFirmware(firmware: FirmwareRecord): Promise<void>;
  getFirmware(sha256: string): Promise<FirmwareRecord | undefined>;
  listFirmware(): Promise<FirmwareRecord[]>;
  markFirmwareImageStored(sha256: string, atMs: number): Promise<boolean>;
  /** 'in_use' while an active or paused rollout uses it. */
  deleteFirmware(sha256: string): Promise<'deleted' | 'in_use' | 'missing'>;

  // rollouts
  /** Throws StoreConflictError('rollout_target_busy') if the target has an active or paused rollout. */
  createRollout(rollout: NewRollout): Promise<RolloutRecord>;
  getRollout(id: string): Promise<RolloutRecord | undefined>;
  listRollouts(filter?: { states?: readonly RolloutState[] }): Promise<RolloutRecord[]>;
  /** Compare-and-set; returns the updated row, or undefined when the expectation failed. */
  updateRollout(id: string, expect: RolloutExpectation, patch: RolloutPatch, atMs: number): Promise<RolloutRecord | undefined>;
  getRolloutDevice(rolloutId: string, deviceId: string): Promise<RolloutDeviceRecord | undefined>;
  /** Rows of a device in rollouts, newest first. */
  listRolloutDevicesOfDevice(deviceId: string): Promise<RolloutDeviceRecord[]>;
  listRolloutDevices(rolloutId: string, filter: { state?: DeviceRolloutState; limit: number; offset: number }): Promise<RolloutDeviceRecord[]>;
  /** The device's row in a rollout of this firmware, newest first (what it may download). */
  findOfferOfFirmware(deviceId: string, sha256: string): Promise<RolloutDeviceRecord | undefined>;
  /** Insert as 'offered' unless a row exists; returns the row either way. */
  offerRolloutDevice(rolloutId: string, deviceId: string, atMs: number): Promise<RolloutDeviceRecord>;
  /** Compare-and-set on the device's state. */
  transitionRolloutDevice(rolloutId: string, deviceId: string, from: readonly DeviceRolloutState[], to: DeviceRolloutState,
    reason: string | null, atMs: number): Promise<boolean>;
  countRolloutDevices(rolloutId: string): Promise<Record<DeviceRolloutState, number>>;

  // remote config
  putConfig(scope: ConfigScope, document: unknown, atMs: number): Promise<ConfigRecord>;
  deleteConfig(scope: ConfigScope, atMs: number): Promise<boolean>;
  getConfig(scope: ConfigScope): Promise<ConfigRecord | undefined>;
  /** Every scope's current version, without documents (the check-in path compares versions first). */
  listConfigVersions(): Promise<Array<{ scope: ConfigScope; version: number }>>;
  /** The document of one version, current or past (null for a deletion). */
  getConfigVersion(version: number): Promise<ConfigHistoryEntry | undefined>;
  listConfigs(): Promise<ConfigRecord[]>;
  configHistory(scope: ConfigScope, limit: number): Promise<ConfigHistoryEntry[]>;
}
