/**
 * The Store contract: the same behaviour from every engine (style item 3, as
 * aedes-persistence/abstract.js). Run by store.test.ts on SQLite and, with DATABASE_URL, on
 * PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreConflictError, type DeviceStatusRecord, type FirmwareRecord, type NewRollout, type Store } from '../../ota-server/store/index.js';

const T0 = 1_750_000_000_000;

/** A check-in status as the store keeps it (store-check-ins.test.ts writes it too). */
export const status = (version: string): DeviceStatusRecord => ({
  firmwareVersion: version, slot: 0, bootState: 'valid', batteryVolts: 3.7, configVersion: 0,
  outbox: { records: 1, bytes: 20, dropped: 0, thinned: 0 },
});

const firmware = (sha: string): FirmwareRecord => ({
  sha256: sha, version: '1.2.0', board: 'esp32-c3', securityVersion: 1, size: 1000, manifest: new Uint8Array([0xd2, 0x84, 1, 2, 3]),
  keyId: 'k1', createdAtMs: T0, imageStoredAtMs: null,
});

const rollout = (id: string, over: Partial<NewRollout> = {}): NewRollout => ({
  id, firmwareSha256: 'a'.repeat(64), board: 'esp32-c3', tags: ['lab'], stages: [1, 5, 25, 100], failureThreshold: 0.2,
  minSample: 5, soakMs: null, createdAtMs: T0, ...over,
});

export function describeStoreContract(name: string, open: () => Promise<{ store: Store; reopen(): Promise<Store>; dispose(): Promise<void> }>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let ctx: Awaited<ReturnType<typeof open>>;
    beforeEach(async () => {
      ctx = await open();
      store = ctx.store;
    });
    afterEach(async () => {
      await store.close();
      await ctx.dispose();
    });

    it('applies the migrations once and records them', async () => {
      expect(await store.migrations()).toEqual([1, 2]);
      await store.close();
      store = await ctx.reopen();
      expect(await store.migrations()).toEqual([1, 2]);
    });

    it('finds live API tokens by hash only, and forgets revoked ones', async () => {
      await store.createApiToken({ id: 't1', name: 'ci', role: 'operator', createdAtMs: T0, revokedAtMs: null }, 'h1');
      expect((await store.findApiTokenByHash('h1'))?.role).toBe('operator');
      expect(await store.findApiTokenByHash('t1')).toBeUndefined();
      expect(await store.countLiveAdminTokens()).toBe(0);
      await expect(store.createApiToken({ id: 't1', name: 'x', role: 'admin', createdAtMs: T0, revokedAtMs: null }, 'h2'))
        .rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.revokeApiToken('t1', T0 + 1)).toBe(true);
      expect(await store.revokeApiToken('t1', T0 + 2)).toBe(false);
      expect(await store.findApiTokenByHash('h1')).toBeUndefined();
      expect((await store.listApiTokens())[0]?.revokedAtMs).toBe(T0 + 1);
    });

    it('creates devices all or nothing', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: ['x'], claimHash: 'c1' }], T0);
      await expect(store.createDevices([{ id: 'd2', board: 'b', tags: [], claimHash: 'c2' }, { id: 'd1', board: 'b', tags: [], claimHash: 'c3' }], T0))
        .rejects.toMatchObject({ conflict: 'device_exists' });
      expect(await store.getDevice('d2')).toBeUndefined();
      expect(await store.countDevices()).toBe(1);
      expect(await store.getDevice('d1')).toEqual({ id: 'd1', board: 'b', tags: ['x'], createdAtMs: T0, claimedAtMs: null, lastSeenAtMs: null, status: null });
    });

    it('lists devices by board and by exact tag, paged', async () => {
      await store.createDevices([
        { id: 'a', board: 'b1', tags: ['roof', 'north'], claimHash: '1' },
        { id: 'b', board: 'b1', tags: ['roof%'], claimHash: '2' },
        { id: 'c', board: 'b2', tags: ['roofs'], claimHash: '3' },
      ], T0);
      expect((await store.listDevices({ tag: 'roof', limit: 10, offset: 0 })).map((d) => d.id)).toEqual(['a']);
      expect((await store.listDevices({ tag: 'roof%', limit: 10, offset: 0 })).map((d) => d.id)).toEqual(['b']);
      expect((await store.listDevices({ board: 'b1', limit: 10, offset: 1 })).map((d) => d.id)).toEqual(['b']);
      expect((await store.listDevicesOfBoard('b2')).map((d) => d.id)).toEqual(['c']);
      expect(await store.countDevices({ board: 'b1' })).toBe(2);
      expect(await store.countDevices({ tag: 'roof' })).toBe(1);
      expect(await store.countDevices()).toBe(3);
    });

    it('exchanges a claim exactly once', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: [], claimHash: 'claim' }], T0);
      expect(await store.claimDevice('d1', 'wrong', { tokenHash: 't', mqttPasswordHash: 'm' }, T0)).toBe('invalid');
      expect(await store.claimDevice('nope', 'claim', { tokenHash: 't', mqttPasswordHash: 'm' }, T0)).toBe('invalid');
      expect(await store.claimDevice('d1', 'claim', { tokenHash: 'tok', mqttPasswordHash: 'mq' }, T0 + 5)).toBe('claimed');
      expect(await store.claimDevice('d1', 'claim', { tokenHash: 'tok2', mqttPasswordHash: 'mq2' }, T0 + 6)).toBe('used');
      expect(await store.findDeviceByTokenHash('tok')).toEqual({ id: 'd1', board: 'b', tags: [] });
      expect((await store.getDevice('d1'))?.claimedAtMs).toBe(T0 + 5);
      expect(await store.findDeviceByTokenHash('tok2')).toBeUndefined();
      expect(await store.verifyMqttPassword('d1', 'mq')).toBe(true);
      expect(await store.verifyMqttPassword('d1', 'mq2')).toBe(false);
      expect(await store.resetClaim('d1', 'claim2')).toBe(true);
      expect(await store.findDeviceByTokenHash('tok')).toBeUndefined();
      expect(await store.verifyMqttPassword('d1', 'mq')).toBe(false);
      expect(await store.claimDevice('d1', 'claim2', { tokenHash: 'tok3', mqttPasswordHash: 'm3' }, T0 + 7)).toBe('claimed');
    });

    it('finds a device by its token hash from claim to reset, new claim, retag and delete', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: ['x'], claimHash: 'c1' }, { id: 'd2', board: 'b2', tags: [], claimHash: 'c2' }], T0);
      expect(await store.findDeviceByTokenHash('t1')).toBeUndefined();
      expect(await store.claimDevice('d1', 'c1', { tokenHash: 't1', mqttPasswordHash: 'm1' }, T0)).toBe('claimed');
      expect(await store.claimDevice('d2', 'c2', { tokenHash: 't2', mqttPasswordHash: 'm2' }, T0)).toBe('claimed');
      expect(await store.findDeviceByTokenHash('t1')).toEqual({ id: 'd1', board: 'b', tags: ['x'] });

      expect(await store.resetClaim('d1', 'c1b')).toBe(true);
      expect(await store.findDeviceByTokenHash('t1')).toBeUndefined();
      expect(await store.claimDevice('d1', 'c1b', { tokenHash: 't1b', mqttPasswordHash: 'm1b' }, T0 + 1)).toBe('claimed');
      expect(await store.findDeviceByTokenHash('t1')).toBeUndefined();
      expect(await store.findDeviceByTokenHash('t1b')).toEqual({ id: 'd1', board: 'b', tags: ['x'] });

      expect(await store.updateDeviceTags('d1', ['roof', 'north'])).toBe(true);
      expect(await store.findDeviceByTokenHash('t1b')).toEqual({ id: 'd1', board: 'b', tags: ['roof', 'north'] });

      expect(await store.deleteDevice('d1')).toBe(true);
      expect(await store.findDeviceByTokenHash('t1b')).toBeUndefined();
      // The other device is untouched by all of it.
      expect(await store.findDeviceByTokenHash('t2')).toEqual({ id: 'd2', board: 'b2', tags: [] });
    });

    it('leaves a device without a token unfindable through tag changes and a reset', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: [], claimHash: 'c1' }], T0);
      expect(await store.updateDeviceTags('d1', ['lab'])).toBe(true);
      expect(await store.resetClaim('d1', 'c2')).toBe(true);
      expect(await store.claimDevice('d1', 'c1', { tokenHash: 't1', mqttPasswordHash: 'm' }, T0)).toBe('invalid');
      expect(await store.findDeviceByTokenHash('t1')).toBeUndefined();
      expect(await store.claimDevice('d1', 'c2', { tokenHash: 't2', mqttPasswordHash: 'm' }, T0)).toBe('claimed');
      expect(await store.findDeviceByTokenHash('t2')).toEqual({ id: 'd1', board: 'b', tags: ['lab'] });
    });

    it('finds every claimed device, with its latest tags, after a reopen', async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `d${i}`);
      await store.createDevices(ids.map((id, i) => ({ id, board: `b${i % 3}`, tags: [`t${i % 4}`], claimHash: `c-${id}` })), T0);
      for (const id of ids.slice(0, 40)) expect(await store.claimDevice(id, `c-${id}`, { tokenHash: `h-${id}`, mqttPasswordHash: 'm' }, T0)).toBe('claimed');
      await store.updateDeviceTags('d1', ['moved']);
      await store.resetClaim('d2', 'again');
      await store.deleteDevice('d3');
      await store.close();
      store = await ctx.reopen();
      for (const [i, id] of ids.entries()) {
        const expected = i >= 40 || id === 'd2' || id === 'd3' ? undefined
          : { id, board: `b${i % 3}`, tags: id === 'd1' ? ['moved'] : [`t${i % 4}`] };
        expect(await store.findDeviceByTokenHash(`h-${id}`)).toEqual(expected);
      }
    });

    it('hands out device identities that cannot be changed into the store', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: ['x'], claimHash: 'c1' }], T0);
      await store.claimDevice('d1', 'c1', { tokenHash: 't1', mqttPasswordHash: 'm' }, T0);
      const tags = ['x'];
      await store.updateDeviceTags('d1', tags);
      tags.push('changed after the call');
      const found = await store.findDeviceByTokenHash('t1');
      // A frozen identity throws (ESM is strict mode); a fresh copy just absorbs the change.
      const attempt = (f: () => void): void => { try { f(); } catch (error) { expect(error).toBeInstanceOf(TypeError); } };
      attempt(() => { (found!.tags as string[]).push('y'); });
      attempt(() => { (found!.tags as string[])[0] = 'z'; });
      attempt(() => { (found as { board: string }).board = 'other'; });
      expect(await store.findDeviceByTokenHash('t1')).toEqual({ id: 'd1', board: 'b', tags: ['x'] });
    });

    it('records check-ins singly and in batches', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: [], claimHash: '1' }, { id: 'd2', board: 'b', tags: [], claimHash: '2' }], T0);
      await store.recordCheckIns([{ deviceId: 'd1', status: status('1.0.0'), atMs: T0 + 1 }]);
      await store.recordCheckIns([{ deviceId: 'd1', status: status('1.1.0'), atMs: T0 + 2 }, { deviceId: 'd2', status: status('1.0.0'), atMs: T0 + 3 },
        { deviceId: 'gone', status: status('9'), atMs: T0 }]);
      expect(await store.getDevice('d1')).toMatchObject({ lastSeenAtMs: T0 + 2, status: status('1.1.0') });
      expect((await store.getDevice('d2'))?.lastSeenAtMs).toBe(T0 + 3);
    });

    it('keeps check-in status across a reopen, in every device read', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: ['t'], claimHash: '1' }, { id: 'd2', board: 'b', tags: [], claimHash: '2' }], T0);
      await store.recordCheckIns([{ deviceId: 'd1', status: { ...status('1.0.0'), lastOutcome: { kind: 'failed', version: '1.1.0', reason: 'ERR_X' } }, atMs: T0 + 1 }]);
      await store.recordCheckIns([{ deviceId: 'd1', status: status('1.2.0'), atMs: T0 + 2 }, { deviceId: 'd2', status: status('1.0.0'), atMs: T0 + 3 }]);
      await store.recordCheckIns([{ deviceId: 'd2', status: status('1.0.1'), atMs: T0 + 4 }]);
      await store.close();
      store = await ctx.reopen();
      const d1 = { id: 'd1', board: 'b', tags: ['t'], createdAtMs: T0, claimedAtMs: null, lastSeenAtMs: T0 + 2, status: status('1.2.0') };
      const d2 = { id: 'd2', board: 'b', tags: [], createdAtMs: T0, claimedAtMs: null, lastSeenAtMs: T0 + 4, status: status('1.0.1') };
      expect(await store.getDevice('d1')).toEqual(d1);
      expect(await store.listDevices({ limit: 10, offset: 0 })).toEqual([d1, d2]);
      expect(await store.listDevices({ tag: 't', limit: 10, offset: 0 })).toEqual([d1]);
      expect(await store.listDevicesOfBoard('b')).toEqual([d1, d2]);
      expect((await store.dump()).devices?.map((r) => [r.id, r.last_seen_at, JSON.parse(String(r.status))]))
        .toEqual([['d1', T0 + 2, status('1.2.0')], ['d2', T0 + 4, status('1.0.1')]]);
    });

    it('deletes a device with its status; a later check-in of it neither fails its batch nor brings the status back', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: [], claimHash: '1' }, { id: 'd2', board: 'b', tags: [], claimHash: '2' }], T0);
      await store.recordCheckIns([{ deviceId: 'd1', status: status('1.0.0'), atMs: T0 + 1 }, { deviceId: 'd2', status: status('1.0.0'), atMs: T0 + 1 }]);
      expect(await store.deleteDevice('d1')).toBe(true);
      await store.recordCheckIns([{ deviceId: 'd1', status: status('1.1.0'), atMs: T0 + 2 }, { deviceId: 'd2', status: status('1.1.0'), atMs: T0 + 2 }]);
      await store.recordCheckIns([{ deviceId: 'd1', status: status('1.2.0'), atMs: T0 + 3 }]);
      expect(await store.getDevice('d1')).toBeUndefined();
      expect(await store.getDevice('d2')).toMatchObject({ lastSeenAtMs: T0 + 2, status: status('1.1.0') });
      // A new device under the old id starts without a status: none was left behind.
      await store.createDevices([{ id: 'd1', board: 'b', tags: [], claimHash: '3' }], T0 + 4);
      expect(await store.getDevice('d1')).toMatchObject({ createdAtMs: T0 + 4, lastSeenAtMs: null, status: null });
    });

    it('keeps the last entry of a device named twice in one batch', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: [], claimHash: '1' }], T0);
      await store.recordCheckIns([{ deviceId: 'd1', status: status('1.0.0'), atMs: T0 + 1 }, { deviceId: 'd1', status: status('1.1.0'), atMs: T0 + 2 }]);
      expect(await store.getDevice('d1')).toMatchObject({ lastSeenAtMs: T0 + 2, status: status('1.1.0') });
      // Insert then update within one batch; the order of entries decides, not their times.
      await store.createDevices([{ id: 'd2', board: 'b', tags: [], claimHash: '2' }], T0);
      await store.recordCheckIns([{ deviceId: 'd2', status: status('2.0.0'), atMs: T0 + 5 }, { deviceId: 'd2', status: status('1.9.0'), atMs: T0 + 3 }]);
      expect(await store.getDevice('d2')).toMatchObject({ lastSeenAtMs: T0 + 3, status: status('1.9.0') });
    });

    it('writes a batch larger than one PostgreSQL statement: the last entry of each device, deleted devices skipped', async () => {
      // Above POSTGRES_CHUNK_ROWS (5000) distinct devices, so PostgreSQL writes more than one chunk.
      const ids = Array.from({ length: 5100 }, (_, i) => `c${String(i).padStart(5, '0')}`);
      await store.createDevices(ids.map((id) => ({ id, board: 'b', tags: [], claimHash: id })), T0);
      expect(await store.deleteDevice('c02600')).toBe(true);
      // Each device's first entry and its last lie about 5000 entries apart; every 100th device
      // ends on an older time, so the order of entries decides, not their times.
      const entries = [
        ...ids.map((deviceId) => ({ deviceId, status: status('1.0.0'), atMs: T0 + 1 })),
        { deviceId: 'gone', status: status('9'), atMs: T0 + 1 },
        ...[...ids].reverse().map((deviceId) => ({ deviceId, status: status('2.0.0'), atMs: T0 + 2 })),
        ...ids.filter((_, i) => i % 100 === 0).map((deviceId) => ({ deviceId, status: status('3.0.0'), atMs: T0 })),
      ];
      await store.recordCheckIns(entries);
      const written = new Map((await store.dump()).devices?.map((r) => [String(r.id), [r.last_seen_at, (JSON.parse(String(r.status)) as DeviceStatusRecord).firmwareVersion]]));
      expect(written.size).toBe(5099);
      expect(written.has('c02600')).toBe(false);
      const expected = new Map(ids.map((id, i) => [id, i % 100 === 0 ? [T0, '3.0.0'] : [T0 + 2, '2.0.0']] as const).filter(([id]) => id !== 'c02600'));
      expect(written).toEqual(expected);
    });

    it('updates tags and deletes a device with its rollout rows', async () => {
      await store.createDevices([{ id: 'd1', board: 'esp32-c3', tags: [], claimHash: '1' }], T0);
      expect(await store.updateDeviceTags('d1', ['lab'])).toBe(true);
      expect(await store.updateDeviceTags('zz', ['lab'])).toBe(false);
      await store.createFirmware(firmware('a'.repeat(64)));
      await store.createRollout(rollout('r1'));
      await store.offerRolloutDevice('r1', 'd1', T0);
      expect(await store.deleteDevice('d1')).toBe(true);
      expect(await store.deleteDevice('d1')).toBe(false);
      expect(await store.listRolloutDevices('r1', { limit: 10, offset: 0 })).toEqual([]);
    });

    it('keeps trusted keys unique and revocable', async () => {
      await store.addTrustedKey({ id: 'k1', name: 'release', publicKeyHex: 'ab'.repeat(32), createdAtMs: T0, revokedAtMs: null });
      await expect(store.addTrustedKey({ id: 'k2', name: 'dup', publicKeyHex: 'ab'.repeat(32), createdAtMs: T0, revokedAtMs: null }))
        .rejects.toMatchObject({ conflict: 'key_exists' });
      expect(await store.revokeTrustedKey('k1', T0 + 1)).toBe(true);
      expect(await store.revokeTrustedKey('k1', T0 + 1)).toBe(false);
      expect(await store.listTrustedKeys()).toEqual([{ id: 'k1', name: 'release', publicKeyHex: 'ab'.repeat(32), createdAtMs: T0, revokedAtMs: T0 + 1 }]);
    });

    it('stores firmware with its manifest bytes and refuses to delete one a live rollout uses', async () => {
      const sha = 'a'.repeat(64);
      await store.createFirmware(firmware(sha));
      await expect(store.createFirmware(firmware(sha))).rejects.toMatchObject({ conflict: 'firmware_exists' });
      expect(await store.getFirmware(sha)).toEqual(firmware(sha));
      expect(await store.markFirmwareImageStored(sha, T0 + 1)).toBe(true);
      expect(await store.markFirmwareImageStored(sha, T0 + 2)).toBe(false);
      await store.createRollout(rollout('r1'));
      expect(await store.deleteFirmware(sha)).toBe('in_use');
      await store.updateRollout('r1', {}, { state: 'paused' }, T0);
      expect(await store.deleteFirmware(sha)).toBe('in_use');
      await store.updateRollout('r1', {}, { state: 'aborted' }, T0);
      expect(await store.deleteFirmware(sha)).toBe('deleted');
      expect(await store.deleteFirmware(sha)).toBe('missing');
      expect(await store.getRollout('r1')).toBeUndefined();
    });

    it('allows one live rollout per target (board plus tag set, in any order)', async () => {
      await store.createFirmware(firmware('a'.repeat(64)));
      await store.createRollout(rollout('r1', { tags: ['lab', 'roof'] }));
      await expect(store.createRollout(rollout('r2', { tags: ['roof', 'lab'] }))).rejects.toMatchObject({ conflict: 'rollout_target_busy' });
      await store.createRollout(rollout('r3', { tags: ['roof'] }));
      await store.updateRollout('r1', {}, { state: 'paused' }, T0);
      await expect(store.createRollout(rollout('r4', { tags: ['lab', 'roof'] }))).rejects.toMatchObject({ conflict: 'rollout_target_busy' });
      await store.updateRollout('r1', {}, { state: 'completed' }, T0);
      const r5 = await store.createRollout(rollout('r5', { tags: ['lab', 'roof'] }));
      expect(r5).toMatchObject({ state: 'active', stageIndex: 0, stages: [1, 5, 25, 100], stateReason: null });
      await expect(store.updateRollout('r1', {}, { state: 'active' }, T0)).rejects.toMatchObject({ conflict: 'rollout_target_busy' });
      expect((await store.listRollouts({ states: ['active'] })).map((r) => r.id)).toEqual(['r3', 'r5']);
    });

    it('updates rollouts by compare-and-set', async () => {
      await store.createFirmware(firmware('a'.repeat(64)));
      await store.createRollout(rollout('r1'));
      expect(await store.updateRollout('r1', { state: ['active'], stageIndex: 1 }, { stageIndex: 2 }, T0 + 1)).toBeUndefined();
      const advanced = await store.updateRollout('r1', { state: ['active'], stageIndex: 0 }, { stageIndex: 1, stageStartedAtMs: T0 + 1 }, T0 + 1);
      expect(advanced).toMatchObject({ stageIndex: 1, stageStartedAtMs: T0 + 1, updatedAtMs: T0 + 1 });
      const paused = await store.updateRollout('r1', { state: ['active'] }, { state: 'paused', stateReason: 'why' }, T0 + 2);
      expect(paused).toMatchObject({ state: 'paused', stateReason: 'why' });
      expect(await store.updateRollout('r1', { state: ['active'] }, { state: 'paused' }, T0 + 3)).toBeUndefined();
      expect(await store.updateRollout('nope', {}, { state: 'paused' }, T0 + 3)).toBeUndefined();
    });

    it('keeps per-device rollout state with compare-and-set transitions and counts', async () => {
      await store.createFirmware(firmware('a'.repeat(64)));
      await store.createRollout(rollout('r1'));
      const offered = await store.offerRolloutDevice('r1', 'd1', T0);
      expect(offered).toEqual({ rolloutId: 'r1', deviceId: 'd1', state: 'offered', reason: null, offeredAtMs: T0, updatedAtMs: T0 });
      expect(await store.transitionRolloutDevice('r1', 'd1', ['offered'], 'downloading', null, T0 + 1)).toBe(true);
      // A second offer leaves the existing row alone.
      expect((await store.offerRolloutDevice('r1', 'd1', T0 + 2)).state).toBe('downloading');
      expect(await store.transitionRolloutDevice('r1', 'd1', ['offered'], 'failed', 'x', T0 + 3)).toBe(false);
      expect(await store.transitionRolloutDevice('r1', 'd1', ['downloading', 'installed'], 'failed', 'ERR_OTA_HASH', T0 + 3)).toBe(true);
      await store.offerRolloutDevice('r1', 'd2', T0);
      await store.offerRolloutDevice('r1', 'd3', T0);
      await store.transitionRolloutDevice('r1', 'd3', ['offered'], 'succeeded', null, T0);
      expect(await store.countRolloutDevices('r1')).toEqual({ offered: 1, downloading: 0, installed: 0, succeeded: 1, failed: 1, rolled_back: 0 });
      expect((await store.listRolloutDevices('r1', { state: 'failed', limit: 10, offset: 0 }))[0]).toMatchObject({ deviceId: 'd1', reason: 'ERR_OTA_HASH' });
      expect((await store.listRolloutDevicesOfDevice('d2')).map((r) => r.rolloutId)).toEqual(['r1']);
      expect(await store.findOfferOfFirmware('d2', 'a'.repeat(64))).toMatchObject({ rolloutId: 'r1', state: 'offered' });
      expect(await store.findOfferOfFirmware('d2', 'b'.repeat(64))).toBeUndefined();
      expect(await store.findOfferOfFirmware('d9', 'a'.repeat(64))).toBeUndefined();
    });

    it('versions config documents from one sequence and keeps their history', async () => {
      const a = await store.putConfig('fleet', { checkInPeriodS: 3600 }, T0);
      const b = await store.putConfig('tag:roof', { checkInPeriodS: 600 }, T0 + 1);
      const c = await store.putConfig('fleet', { checkInPeriodS: 1800 }, T0 + 2);
      expect(b.version).toBeGreaterThan(a.version);
      expect(c.version).toBeGreaterThan(b.version);
      expect(await store.getConfig('fleet')).toEqual({ scope: 'fleet', version: c.version, document: { checkInPeriodS: 1800 }, updatedAtMs: T0 + 2 });
      expect(await store.deleteConfig('tag:roof', T0 + 3)).toBe(true);
      expect(await store.deleteConfig('tag:roof', T0 + 4)).toBe(false);
      expect((await store.listConfigs()).map((r) => r.scope)).toEqual(['fleet']);
      const history = await store.configHistory('tag:roof', 10);
      expect(history.map((h) => h.document)).toEqual([null, { checkInPeriodS: 600 }]);
      expect((await store.configHistory('fleet', 1)).map((h) => h.version)).toEqual([c.version]);
      expect(await store.listConfigVersions()).toEqual([{ scope: 'fleet', version: c.version }]);
      expect(await store.getConfigVersion(a.version)).toMatchObject({ scope: 'fleet', document: { checkInPeriodS: 3600 } });
      expect((await store.getConfigVersion(c.version + 1))?.document).toBeNull();
      expect(await store.getConfigVersion(99_999)).toBeUndefined();
    });

    it('survives a reopen with everything in place', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: ['t'], claimHash: 'c' }], T0);
      await store.createFirmware(firmware('a'.repeat(64)));
      await store.createRollout(rollout('r1'));
      await store.offerRolloutDevice('r1', 'd1', T0);
      await store.putConfig('fleet', { a: 1 }, T0);
      const before = await store.dump();
      await store.close();
      store = await ctx.reopen();
      expect(await store.dump()).toEqual(before);
    });

    it('serialises concurrent transactions and plain statements without losing writes', async () => {
      await store.createDevices([{ id: 'd1', board: 'b', tags: [], claimHash: 'c' }], T0);
      const writes = Array.from({ length: 20 }, (_, i) => i % 2 === 0
        ? store.putConfig(`tag:t${i}`, { i }, T0 + i)
        : store.recordCheckIns([{ deviceId: 'd1', status: status(`1.0.${i}`), atMs: T0 + i }]));
      await Promise.all(writes);
      expect((await store.listConfigs()).length).toBe(10);
      expect((await store.getDevice('d1'))?.lastSeenAtMs).toBeGreaterThan(T0);
    });
  });
}
