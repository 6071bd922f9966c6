/**
 * PostgreSQL check-in writes in several chunks (check-ins.ts), with chunks of two rows so that
 * small batches span several statements: the last entry of a device wins across chunks, and a
 * failing chunk takes the whole batch with it. Runs only with DATABASE_URL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastPerDevice, writeCheckIns } from '../../ota-server/store/check-ins.js';
import type { SqlDriver } from '../../ota-server/store/driver.js';
import type { CheckInEntry, DeviceStatusRecord } from '../../ota-server/store/index.js';
import { DATABASE_URL, makeTarget, type StoreTarget } from './helpers/db.js';
import { T0 } from './helpers/harness.js';
import { status } from './store-contract.js';
const entry = (deviceId: string, version: string, atMs: number): CheckInEntry => ({ deviceId, status: status(version), atMs });

describe('lastPerDevice', () => {
  it('keeps the last entry of each device, ordered by device', () => {
    expect(lastPerDevice([entry('b', '1', 5), entry('a', '1', 1), entry('b', '2', 2), entry('c', '1', 1), entry('a', '2', 0)]))
      .toEqual([entry('a', '2', 0), entry('b', '2', 2), entry('c', '1', 1)]);
  });
});

describe.skipIf(DATABASE_URL === undefined)('PostgreSQL check-ins in several chunks', () => {
  let target: StoreTarget;
  let driver: SqlDriver;
  const rows = async () => (await driver.all('SELECT device_id, last_seen_at, status FROM device_status ORDER BY device_id'))
    .map((r) => [r.device_id, r.last_seen_at, (JSON.parse(String(r.status)) as DeviceStatusRecord).firmwareVersion]);

  beforeEach(async () => {
    target = makeTarget('postgres');
    const store = await target.open();
    await store.createDevices(['d1', 'd2', 'd3', 'd4', 'd5'].map((id) => ({ id, board: 'b', tags: [], claimHash: id })), T0);
    await store.close();
    driver = await target.driver();
  });
  afterEach(async () => {
    await driver.close();
    await target.dispose();
  });

  it('keeps the last entry per device across chunks and skips devices that do not exist', async () => {
    await writeCheckIns(driver, [
      entry('d5', '1', T0 + 1), entry('d1', '1', T0 + 1), entry('gone', '1', T0 + 1), entry('d3', '1', T0 + 1), entry('d2', '1', T0 + 1),
      entry('d4', '1', T0 + 1), entry('d1', '2', T0), entry('d5', '2', T0 + 2), entry('zz', '1', T0 + 1),
    ], 2);
    expect(await rows()).toEqual([['d1', T0, '2'], ['d2', T0 + 1, '1'], ['d3', T0 + 1, '1'], ['d4', T0 + 1, '1'], ['d5', T0 + 2, '2']]);
  });

  it('writes nothing of a batch when one chunk fails', async () => {
    await writeCheckIns(driver, [entry('d1', '1', T0 + 1)], 2);
    // 1.5 is no bigint: the third chunk (d5) fails after the first two were written.
    await expect(writeCheckIns(driver, [entry('d1', '2', T0 + 2), entry('d2', '2', T0 + 2), entry('d3', '2', T0 + 2), entry('d4', '2', T0 + 2),
      entry('d5', '2', 1.5)], 2)).rejects.toThrow(/bigint/);
    expect(await rows()).toEqual([['d1', T0 + 1, '1']]);
  });
});
