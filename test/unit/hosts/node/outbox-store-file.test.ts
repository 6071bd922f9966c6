import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeOutboxStoreContract } from '../../../contract/outbox-store.js';
import { openFileOutboxStore, scanLog, type FileOutboxStorePort, type OutboxFs } from '../../../../hosts/node/outbox-store-file.js';
import type { OutboxStorePort } from '../../../../firmware/index.js';

const root = fs.mkdtempSync(join(os.tmpdir(), 'outbox-store-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `d${dirs++}`);
const dirOf = new WeakMap<OutboxStorePort, string>();

describeOutboxStoreContract('file', () => {
  const dir = freshDir();
  const store = openFileOutboxStore(dir);
  dirOf.set(store, dir);
  return store;
}, (store) => {
  (store as FileOutboxStorePort).close();
  const dir = dirOf.get(store)!;
  const again = openFileOutboxStore(dir);
  dirOf.set(again, dir);
  return again;
});

class PowerCut extends Error {}

/**
 * node:fs with a power cut after `budget` events: every byte written is one event, and so is
 * each fsync, rename, truncate and unlink (a cut at an fsync: the bytes are on disk but the
 * call never returned). The write that reaches the budget stores only the bytes
 * before the cut, and from the cut on every call throws (the device is off).
 */
function cuttingFs(budget: number): OutboxFs & { events: number } {
  let events = 0;
  let dead = false;
  const spend = (n: number): number => {
    if (dead) throw new PowerCut();
    const allowed = Math.min(n, budget - events);
    events += allowed;
    return allowed;
  };
  const event = (): void => {
    if (dead || spend(1) < 1) { dead = true; throw new PowerCut(); }
  };
  const guard = (): void => { if (dead) throw new PowerCut(); };
  return {
    get events() { return events; },
    openSync: (p, f) => { guard(); return fs.openSync(p, f); },
    closeSync: (fd) => { fs.closeSync(fd); }, // the OS closes descriptors of a dead process
    writeSync: (fd, buffer, offset, length, position) => {
      const allowed = spend(length);
      const written = allowed > 0 ? fs.writeSync(fd, buffer, offset, allowed, position) : 0;
      if (written < length) { dead = true; throw new PowerCut(); }
      return written;
    },
    fsyncSync: (fd) => { event(); fs.fsyncSync(fd); },
    ftruncateSync: (fd, n) => { event(); fs.ftruncateSync(fd, n); },
    readFileSync: (p) => { guard(); return fs.readFileSync(p); },
    renameSync: (a, b) => { event(); fs.renameSync(a, b); },
    unlinkSync: (p) => { event(); fs.unlinkSync(p); },
    existsSync: (p) => { guard(); return fs.existsSync(p); },
    mkdirSync: (p, o) => { guard(); return fs.mkdirSync(p, o); },
  };
}

const rec = (n: number, length: number): Uint8Array => new Uint8Array(length).fill(n);

/** A workload of appends and compactions; `expected[k]` is the log after k completed steps. */
const steps: ((s: OutboxStorePort) => void)[] = [];
const expected: Uint8Array[][] = [[]];
{
  let model: Uint8Array[] = [];
  const append = (r: Uint8Array): void => {
    steps.push((s) => s.append(r));
    model = [...model, r];
    expected.push(model);
  };
  const rewrite = (rs: Uint8Array[]): void => {
    steps.push((s) => s.rewrite(rs));
    model = rs;
    expected.push(model);
  };
  append(rec(1, 5)); append(rec(2, 1)); append(rec(3, 17)); append(rec(4, 9));
  rewrite([rec(3, 17), rec(4, 9), rec(40, 3)]);
  append(rec(5, 12)); append(rec(6, 2));
  rewrite([]);
  append(rec(7, 8));
}

function runWorkload(dir: string, fsShim: OutboxFs): number {
  let done = 0;
  let store: FileOutboxStorePort | undefined;
  try {
    store = openFileOutboxStore(dir, { fs: fsShim, maxRecordBytes: 64 });
    for (const step of steps) { step(store); done++; }
  } catch (error) {
    if (!(error instanceof PowerCut)) throw error;
  } finally {
    store?.close();
  }
  return done;
}

describe('file outbox store survives a power cut at every byte of every write', () => {
  const total = (() => {
    const shim = cuttingFs(Number.MAX_SAFE_INTEGER);
    expect(runWorkload(freshDir(), shim)).toBe(steps.length);
    return shim.events;
  })();

  it(`the workload has enough cut points to be meaningful (${total})`, () => expect(total).toBeGreaterThan(150));

  it('after each cut: earlier records intact, the interrupted step all or nothing, the log still appendable', () => {
    const outcomes = new Set<string>();
    for (let budget = 0; budget <= total; budget++) {
      const dir = freshDir();
      const done = runWorkload(dir, cuttingFs(budget));
      let after: FileOutboxStorePort;
      if (!fs.existsSync(join(dir, 'outbox.log'))) {
        // Cut before the very first log was installed: the store starts empty.
        expect(done).toBe(0);
      }
      after = openFileOutboxStore(dir, { maxRecordBytes: 64 });
      const found = after.readAll();
      const matches = [expected[done]!, expected[done + 1]].filter((e) => e !== undefined && JSON.stringify(e.map((r) => [...r])) === JSON.stringify(found.map((r) => [...r])));
      expect(matches.length, `budget ${budget}: ${done} steps done, found ${found.length} records`).toBeGreaterThan(0);
      outcomes.add(matches[0] === expected[done] ? 'before' : 'after');
      // The torn tail is gone for good: a new append and a reboot read back cleanly.
      after.append(rec(99, 4));
      after.close();
      const again = openFileOutboxStore(dir, { maxRecordBytes: 64 });
      expect(again.readAll()).toEqual([...found, rec(99, 4)]);
      again.close();
      expect(fs.existsSync(join(dir, 'outbox.log.tmp'))).toBe(false);
      fs.rmSync(dir, { recursive: true });
    }
    // Both ways of ending an interrupted step happened somewhere in the sweep.
    expect(outcomes).toEqual(new Set(['before', 'after']));
  }, 120_000); // ~180 reboots with fsync: seconds, more on a loaded machine
});

describe('file outbox store: torn and corrupt tails', () => {
  const write = (dir: string, records: Uint8Array[]): string => {
    const s = openFileOutboxStore(dir);
    for (const r of records) s.append(r);
    s.close();
    return join(dir, 'outbox.log');
  };

  it('discards a zero-filled tail (a file system that extended the file but lost the data)', () => {
    const dir = freshDir();
    const log = write(dir, [rec(1, 10)]);
    fs.appendFileSync(log, new Uint8Array(64));
    const s = openFileOutboxStore(dir);
    expect(s.readAll()).toEqual([rec(1, 10)]);
    expect(fs.statSync(log).size).toBe(4 + 8 + 10);
    s.close();
  });

  it('stops at a frame whose CRC fails and truncates there', () => {
    const dir = freshDir();
    const log = write(dir, [rec(1, 10), rec(2, 10), rec(3, 10)]);
    const bytes = fs.readFileSync(log);
    bytes[4 + 18 + 8 + 3] ^= 0x01; // flip a bit in the second record's payload
    fs.writeFileSync(log, bytes);
    const s = openFileOutboxStore(dir);
    expect(s.readAll()).toEqual([rec(1, 10)]);
    s.close();
  });

  it('refuses a file that is not an outbox log', () => {
    const dir = freshDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(join(dir, 'outbox.log'), 'hello');
    expect(() => openFileOutboxStore(dir)).toThrow(expect.objectContaining({ code: 'ERR_OUTBOX_CORRUPT' }));
  });

  it('a frame longer than the limit ends the log (a garbage length is not trusted)', () => {
    const log = new Uint8Array([0x4f, 0x42, 0x58, 0x31, 0xff, 0xff, 0, 0, 0, 0, 0, 0]);
    expect(scanLog(log, 4096)).toEqual({ records: [], end: 4 });
  });

  it('rolls a failed append back so later appends stay readable', () => {
    const dir = freshDir();
    let failNext = false;
    const shim: OutboxFs = {
      ...(fs as unknown as OutboxFs),
      writeSync: (fd, b, o, l, p) => {
        if (failNext) {
          failNext = false;
          fs.writeSync(fd, b, o, Math.floor(l / 2), p);
          throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
        }
        return fs.writeSync(fd, b, o, l, p);
      },
    };
    const s = openFileOutboxStore(dir, { fs: shim });
    s.append(rec(1, 10));
    failNext = true;
    expect(() => s.append(rec(2, 10))).toThrow('ENOSPC');
    s.append(rec(3, 10));
    expect(s.readAll()).toEqual([rec(1, 10), rec(3, 10)]);
    s.close();
    expect(openFileOutboxStore(dir).readAll()).toEqual([rec(1, 10), rec(3, 10)]);
  });
});
