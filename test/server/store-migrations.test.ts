/**
 * Upgrades of a database written by an older release, on every engine: each older schema is
 * built by running only the migrations that release had, then opened by the current store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../ota-server/store/migrations.js';
import type { DeviceStatusRecord, Store } from '../../ota-server/store/index.js';
import { makeTarget, TARGET_NAMES, type StoreTarget } from './helpers/db.js';

const T0 = 1_750_000_000_000;

const status: DeviceStatusRecord = {
  firmwareVersion: '1.4.2', slot: 1, bootState: 'valid', batteryVolts: 3.87, configVersion: 2,
  outbox: { records: 3, bytes: 212, dropped: 0, thinned: 0 }, lastOutcome: { kind: 'succeeded', version: '1.4.2' },
};

for (const name of TARGET_NAMES) {
  describe(`Store migrations: ${name}`, () => {
    let target: StoreTarget;
    let store: Store | undefined;
    beforeEach(() => {
      target = makeTarget(name);
      store = undefined;
    });
    afterEach(async () => {
      await store?.close();
      await target.dispose();
    });

    it('moves check-in status out of the devices rows of a version 1 database, intact', async () => {
      const v1 = await target.driver();
      let devicesAtV1: Array<Record<string, unknown>>;
      try {
        expect(await migrate(v1, T0, MIGRATIONS.slice(0, 1))).toEqual([1]);
        const insert = 'INSERT INTO devices (id, board, tags, created_at, claim_hash, claimed_at, token_hash, mqtt_password_hash, last_seen_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
        await v1.run(insert, ['seen', 'esp32-c3', '["roof"]', T0, 'c1', T0 + 1, 't1', 'm1', T0 + 2, JSON.stringify(status)]);
        await v1.run(insert, ['claimed-unseen', 'esp32-c3', '[]', T0, 'c2', T0 + 1, 't2', 'm2', null, null]);
        await v1.run(insert, ['unclaimed', 'esp32-s3', '[]', T0, 'c3', null, null, null, null, null]);
        devicesAtV1 = await v1.all('SELECT * FROM devices ORDER BY id');
      } finally {
        await v1.close();
      }

      store = await target.open(T0 + 10);
      expect(await store.migrations()).toEqual([1, 2]);
      expect(await store.getDevice('seen')).toEqual({
        id: 'seen', board: 'esp32-c3', tags: ['roof'], createdAtMs: T0, claimedAtMs: T0 + 1, lastSeenAtMs: T0 + 2, status,
      });
      expect(await store.listDevices({ limit: 10, offset: 0 })).toEqual([
        { id: 'claimed-unseen', board: 'esp32-c3', tags: [], createdAtMs: T0, claimedAtMs: T0 + 1, lastSeenAtMs: null, status: null },
        { id: 'seen', board: 'esp32-c3', tags: ['roof'], createdAtMs: T0, claimedAtMs: T0 + 1, lastSeenAtMs: T0 + 2, status },
        { id: 'unclaimed', board: 'esp32-s3', tags: [], createdAtMs: T0, claimedAtMs: null, lastSeenAtMs: null, status: null },
      ]);
      expect(await store.findDeviceByTokenHash('t1')).toEqual({ id: 'seen', board: 'esp32-c3', tags: ['roof'] });
      // dump() keeps the version 1 shape: same rows, same columns in the same order.
      const devices = (await store.dump()).devices!;
      expect(devices).toEqual(devicesAtV1);
      expect(devices.map((r) => Object.keys(r))).toEqual(devicesAtV1.map((r) => Object.keys(r)));

      // Check-ins go on from there, and the upgrade is not run again.
      await store.recordCheckIns([{ deviceId: 'seen', status, atMs: T0 + 20 }, { deviceId: 'claimed-unseen', status, atMs: T0 + 21 }]);
      await store.close();
      store = await target.open(T0 + 30);
      expect(await store.migrations()).toEqual([1, 2]);
      expect((await store.listDevices({ limit: 10, offset: 0 })).map((d) => d.lastSeenAtMs)).toEqual([T0 + 21, T0 + 20, null]);
    });

    it('drops the old status columns from devices', async () => {
      store = await target.open(T0);
      await store.close();
      store = undefined;
      const db = await target.driver();
      try {
        await expect(db.get('SELECT last_seen_at FROM devices')).rejects.toThrow(/last_seen_at/);
        await expect(db.get('SELECT status FROM devices')).rejects.toThrow(/status/);
        expect(await db.all('SELECT * FROM device_status')).toEqual([]);
      } finally {
        await db.close();
      }
    });
  });
}
