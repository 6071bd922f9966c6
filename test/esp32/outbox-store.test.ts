/**
 * The ESP32 outbox store (hosts/esp32/outbox-store.ts) on the outbox partition, through the
 * ESP32 flash area (16-byte write unit) over the node flash model, which tears a write or an
 * erase where power goes (hosts/node/flash.ts).
 */
import { describe, expect, it } from 'vitest';
import { isFirmwareError, type FlashArea, type OutboxStorePort } from '../../firmware/index.js';
import { PowerCut, SimFlash } from '../../hosts/node/flash.js';
import { createEsp32Flash } from '../../hosts/esp32/flash.js';
import { createFlashOutboxStore, type FlashOutboxStore } from '../../hosts/esp32/outbox-store.js';
import { describeOutboxStoreContract } from '../contract/outbox-store.js';
import { fakeFlashStorage } from './fakes.js';

const SECTOR = 4096;

function outboxFlash(sectors = 8, seed = 1): { sim: SimFlash; area: () => FlashArea } {
  const sim = new SimFlash({ partitions: [{ label: 'outbox', offset: 0, size: sectors * SECTOR }], seed });
  // A fresh area object per "boot", as the device opens the partition again after a reset.
  return { sim, area: () => createEsp32Flash(fakeFlashStorage(sim, () => 0), { runningSlot: () => 0 }).area('outbox') };
}

const areaOf = new WeakMap<OutboxStorePort, () => FlashArea>();
describeOutboxStoreContract('ESP32 flash outbox', () => {
  const { area } = outboxFlash();
  const store = createFlashOutboxStore(area());
  areaOf.set(store, area);
  return store;
}, (store) => {
  const area = areaOf.get(store)!;
  const again = createFlashOutboxStore(area());
  areaOf.set(again, area);
  return again;
});

const record = (i: number, length = 40): Uint8Array => Uint8Array.from({ length }, (_, j) => (i * 31 + j) & 0xff);

describe('ESP32 flash outbox: flash use', () => {
  it('erases lazily: appends erase only the sectors they reach', () => {
    const { sim, area } = outboxFlash(16);
    const store = createFlashOutboxStore(area());
    for (let i = 0; i < 100; i++) store.append(record(i)); // 100 x 48-byte frames, under 5 kB
    expect(sim.counts.erases).toBe(2);
    expect(store.readAll()).toEqual(Array.from({ length: 100 }, (_, i) => record(i)));
  });

  it('moves to the other bank when one is full, keeping every record', () => {
    const { area } = outboxFlash(4); // banks of 8 kB
    const store = createFlashOutboxStore(area());
    const kept: Uint8Array[] = [];
    for (let i = 0; i < 120; i++) {
      store.append(record(i));
      kept.push(record(i));
      if (kept.length > 60) {
        kept.splice(0, 30);
        store.rewrite(kept);
      }
    }
    expect(createFlashOutboxStore(area()).readAll()).toEqual(kept);
  });

  it('throws ERR_OUTBOX_FULL when the records themselves exceed a bank, and keeps what it had', () => {
    const { area } = outboxFlash(2);
    const store = createFlashOutboxStore(area(), { maxRecordBytes: 1024 });
    const before: Uint8Array[] = [];
    let full: unknown;
    for (let i = 0; i < 10 && full === undefined; i++) {
      try {
        store.append(record(i, 1000));
        before.push(record(i, 1000));
      } catch (error) {
        full = error;
      }
    }
    expect(isFirmwareError(full, 'ERR_OUTBOX_FULL')).toBe(true);
    expect(createFlashOutboxStore(area(), { maxRecordBytes: 1024 }).readAll()).toEqual(before);
    expect(store.capacityBytes).toBe(SECTOR);
  });

  it('never reads frames of an older generation left in a lazily erased sector', () => {
    const { area } = outboxFlash(4);
    const store = createFlashOutboxStore(area());
    for (let i = 0; i < 150; i++) store.append(record(i)); // bank 0 fills past its first sector
    store.rewrite([record(1000)]); // bank 1
    store.rewrite([record(2000)]); // bank 0 again: only its first sector is erased
    expect(createFlashOutboxStore(area()).readAll()).toEqual([record(2000)]);
    store.append(record(2001));
    expect(createFlashOutboxStore(area()).readAll()).toEqual([record(2000), record(2001)]);
  });

  it('moves to the other bank at the first append after a reset that may have cut a write', () => {
    const { sim, area } = outboxFlash(4);
    const store = createFlashOutboxStore(area());
    store.append(record(1));
    const erasesBefore = sim.counts.erases;
    const rebooted = createFlashOutboxStore(area(), { mayBeTorn: true });
    expect(rebooted.readAll()).toEqual([record(1)]);
    rebooted.append(record(2));
    expect(sim.counts.erases).toBeGreaterThan(erasesBefore);
    expect(createFlashOutboxStore(area()).readAll()).toEqual([record(1), record(2)]);
  });

  it('refuses an odd number of sectors and a record size no bank can hold', () => {
    const sim = new SimFlash({ partitions: [{ label: 'outbox', offset: 0, size: 3 * SECTOR }] });
    const area = createEsp32Flash(fakeFlashStorage(sim, () => 0), { runningSlot: () => 0 }).area('outbox');
    expect(() => createFlashOutboxStore(area)).toThrow(expect.objectContaining({ code: 'ERR_FLASH_RANGE' }));
    expect(() => createFlashOutboxStore(outboxFlash(2).area(), { maxRecordBytes: 5000 })).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT' }));
  });
});

/**
 * A workload with appends and compactions, as the outbox runs it. `model` gets the state after
 * each operation, pushed before the operation runs: when power goes during it, the log must be
 * the one before last (not done) or the last (done).
 */
function workload(store: FlashOutboxStore, model: Uint8Array[][]): void {
  const live: Uint8Array[] = [];
  model.push([]);
  for (let i = 0; i < 40; i++) {
    live.push(record(i, 20 + (i % 7) * 30));
    model.push(live.slice());
    store.append(record(i, 20 + (i % 7) * 30));
    if (i % 13 === 12) {
      live.splice(0, 5);
      model.push(live.slice());
      store.rewrite(live);
    }
  }
}

describe('ESP32 flash outbox: a power cut at every write and erase', () => {
  // Count the operations of a clean run.
  const clean = outboxFlash(4);
  workload(createFlashOutboxStore(clean.area()), []);
  const operations = clean.sim.operations;

  it(`keeps a state the log went through, and keeps working, for each of ${operations} cut points`, () => {
    expect(operations).toBeGreaterThan(40);
    for (let cut = 1; cut <= operations; cut++) {
      const { sim, area } = outboxFlash(4, cut);
      const states: Uint8Array[][] = [];
      sim.cutAfter(cut);
      let stoppedBy: unknown;
      try {
        workload(createFlashOutboxStore(area()), states);
      } catch (error) {
        stoppedBy = error;
      }
      expect(stoppedBy, `cut ${cut}`).toBeInstanceOf(PowerCut);
      sim.powerOn();
      const after = createFlashOutboxStore(area(), { mayBeTorn: true });
      const seen = after.readAll();
      // The interrupted operation either happened or did not: the log is one of the last two states.
      const matches = states.slice(-2);
      expect(matches.some((s) => JSON.stringify(s.map((r) => [...r])) === JSON.stringify(seen.map((r) => [...r]))), `cut ${cut}: ${seen.length} records`).toBe(true);
      // And it goes on: appends and another reboot, without writing over unerased flash.
      after.append(record(999));
      after.append(record(998));
      expect(createFlashOutboxStore(area()).readAll()).toEqual([...seen, record(999), record(998)]);
    }
  });
});
