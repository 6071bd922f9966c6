/**
 * Contract of OutboxStorePort (firmware/ports/outbox-store.ts), run against every implementation
 * in the way aedes-persistence/abstract.js is. `reopen`, when given, simulates a reboot: it must
 * return a new store over the same storage (the old one is dropped).
 */
import { describe, expect, it } from 'vitest';
import type { OutboxStorePort } from '../../firmware/index.js';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

function expectCode(fn: () => unknown, code: string): void {
  expect(fn).toThrow(expect.objectContaining({ code }));
}

export function describeOutboxStoreContract(
  name: string,
  factory: () => OutboxStorePort | Promise<OutboxStorePort>,
  reopen?: (store: OutboxStorePort) => OutboxStorePort | Promise<OutboxStorePort>,
): void {
  describe(`OutboxStorePort contract: ${name}`, () => {
    it('starts empty', async () => {
      const store = await factory();
      expect(store.readAll()).toEqual([]);
      expect(store.maxRecordBytes).toBeGreaterThanOrEqual(256);
    });

    it('returns records in append order', async () => {
      const store = await factory();
      store.append(bytes(1));
      store.append(bytes(2, 2));
      store.append(bytes(3, 3, 3));
      expect(store.readAll()).toEqual([bytes(1), bytes(2, 2), bytes(3, 3, 3)]);
    });

    it('keeps copies: mutating an appended or returned record changes nothing', async () => {
      const store = await factory();
      const record = bytes(7, 7);
      store.append(record);
      record[0] = 0;
      const [read] = store.readAll();
      read![1] = 0;
      expect(store.readAll()).toEqual([bytes(7, 7)]);
    });

    it('size grows with every append and falls after compaction', async () => {
      const store = await factory();
      const empty = store.size();
      store.append(new Uint8Array(100).fill(1));
      const one = store.size();
      expect(one).toBeGreaterThanOrEqual(empty + 100);
      store.append(new Uint8Array(100).fill(2));
      expect(store.size()).toBeGreaterThanOrEqual(one + 100);
      store.rewrite([new Uint8Array(100).fill(2)]);
      expect(store.size()).toBe(one);
      store.rewrite([]);
      expect(store.size()).toBe(empty);
    });

    it('rewrite replaces every record', async () => {
      const store = await factory();
      for (let i = 1; i <= 5; i++) store.append(bytes(i));
      store.rewrite([bytes(4), bytes(5), bytes(9, 9)]);
      expect(store.readAll()).toEqual([bytes(4), bytes(5), bytes(9, 9)]);
      store.append(bytes(6));
      expect(store.readAll()).toEqual([bytes(4), bytes(5), bytes(9, 9), bytes(6)]);
    });

    it('accepts a record of exactly maxRecordBytes', async () => {
      const store = await factory();
      const big = new Uint8Array(store.maxRecordBytes).fill(0xab);
      store.append(big);
      expect(store.readAll()).toEqual([big]);
    });

    it('refuses empty and oversized records with ERR_OUTBOX_RECORD and changes nothing', async () => {
      const store = await factory();
      store.append(bytes(1));
      const size = store.size();
      expectCode(() => store.append(new Uint8Array(0)), 'ERR_OUTBOX_RECORD');
      expectCode(() => store.append(new Uint8Array(store.maxRecordBytes + 1)), 'ERR_OUTBOX_RECORD');
      expectCode(() => store.rewrite([bytes(2), new Uint8Array(0)]), 'ERR_OUTBOX_RECORD');
      expect(store.readAll()).toEqual([bytes(1)]);
      expect(store.size()).toBe(size);
    });

    it('records may hold any byte values, including what looks like framing', async () => {
      const store = await factory();
      const tricky = [bytes(0, 0, 0, 0), bytes(0xff, 0xff, 0xff, 0xff, 0), bytes(0x4f, 0x42, 0x58, 0x31), bytes(8, 0, 0, 0, 0, 0, 0, 0)];
      for (const r of tricky) store.append(r);
      expect(store.readAll()).toEqual(tricky);
    });

    if (reopen !== undefined) {
      it('keeps appended records across a reboot', async () => {
        const store = await factory();
        store.append(bytes(1));
        store.append(bytes(2));
        const again = await reopen(store);
        expect(again.readAll()).toEqual([bytes(1), bytes(2)]);
        again.append(bytes(3));
        expect((await reopen(again)).readAll()).toEqual([bytes(1), bytes(2), bytes(3)]);
      });

      it('keeps a rewrite across a reboot', async () => {
        const store = await factory();
        for (let i = 1; i <= 4; i++) store.append(bytes(i));
        store.rewrite([bytes(3), bytes(4)]);
        const again = await reopen(store);
        expect(again.readAll()).toEqual([bytes(3), bytes(4)]);
        expect(again.size()).toBe(store.size());
      });
    }
  });
}
