/**
 * Health-gated first boot in the wake cycle (docs/ota.md): ESP-IDF's bootloader gives a new
 * image exactly one boot, and a deep-sleep wake is a reset. With the real Updater over the node
 * host's flash model: the cycle checks in whatever the period, and never deep-sleeps while the
 * image is pending verification.
 */
import { describe, expect, it } from 'vitest';
import { selectBootSlot } from '../../../../firmware/ota/boot.js';
import { KV } from '../../../../firmware/ota/state.js';
import { Updater } from '../../../../firmware/ota/updater.js';
import { createNode, type Node } from '../../../../firmware/node/node.js';
import { PENDING_VERIFY_MIN_POLL_MS, PENDING_VERIFY_POLL_MS, pendingVerifyWake, type NextWake } from '../../../../firmware/node/plan.js';
import type { UpdateStep } from '../../../../firmware/node/steps.js';
import { runWakeCycle, runWakeCycles, type WakeResult } from '../../../../firmware/node/wake-cycle.js';
import type { CryptoPort } from '../../../../firmware/ports/crypto.js';
import { FlashFirmwareSlots } from '../../../../hosts/node/firmware-slots.js';
import { FlashKv } from '../../../../hosts/node/flash-kv.js';
import { createOtaFlash } from '../../../../hosts/node/flash.js';
import { fakeUplink, makeFixture, type FakeUplink } from './fixture.js';

const HEALTH_TIMEOUT_MS = 120_000;

const unusedCrypto: CryptoPort = {
  sha256: () => { throw new Error('not used while pending'); },
  verifyEd25519: () => { throw new Error('not used while pending'); },
};

/** A device that ran one ordinary cycle on image 1.0.0, then activated 2.0.0 and restarted into it. */
async function pendingDevice(uplink: FakeUplink) {
  const fx = makeFixture({ uplink });
  await fx.run(1); // the old image: retained record with the check-in due hours from now
  const windowsBefore = uplink.windows.length;
  const sleepsBefore = fx.power.sleeps.length;

  const flash = createOtaFlash({ slotSize: 32 * 1024, kvSectors: 2 });
  flash.area('ota_0').write(0, Uint8Array.of(0xe9, 1, 1, 1));
  const loadable = (slot: 0 | 1): boolean => flash.area(slot === 0 ? 'ota_0' : 'ota_1').read(0, 1)[0] === 0xe9;
  const old = new FlashFirmwareSlots(flash, selectBootSlot(flash.area('otadata'), loadable).slot!);
  old.eraseInactive(0, old.eraseSize());
  old.writeInactive(0, Uint8Array.of(0xe9, 2, 2, 2));
  old.activateInactive();
  fx.power.restart();
  const running = selectBootSlot(flash.area('otadata'), loadable).slot!;
  expect(running).toBe(1);
  const slots = new FlashFirmwareSlots(flash, running);
  expect(slots.runningState()).toBe('pending-verify');
  const kv = new FlashKv(flash.area('nvs'));
  let onBoots = 0;
  const updater = new Updater({
    slots, kv, crypto: unusedCrypto, source: { read: () => { throw new Error('no download'); } },
    power: fx.power, clock: fx.clock, identity: { board: 'b1', version: '2.0.0', securityVersion: 2 },
    trustedKeys: [new Uint8Array(32)], healthTimeoutMs: HEALTH_TIMEOUT_MS,
  });
  const update: UpdateStep = new Proxy(updater, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown;
      if (key === 'onBoot') return (c: { nowMs: number }) => { onBoots++; updater.onBoot(c); };
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const node: Node = createNode({ ...fx.wiring(), update });
  return { fx, node, slots, kv, updater, windowsBefore, sleepsBefore, onBoots: () => onBoots };
}

describe('wake cycle: an image pending verification', () => {
  it('checks in although the check-in is not due, and commits in that same cycle', async () => {
    const uplink = fakeUplink({ brokerReached: true, published: 1, checkIn: { serverTimeMs: 0 } });
    const d = await pendingDevice(uplink);
    const r = await runWakeCycle(d.node);
    const w = uplink.windows[d.windowsBefore]!;
    expect(w.checkIn).toBe(true);
    expect(w.reasons).toContain('update');
    expect(r.window.outcome?.checkIn).toBeDefined();
    expect(d.updater.isPendingVerify()).toBe(false);
    expect(d.slots.runningState()).toBe('valid');
    expect(d.updater.pendingOutcome()).toEqual({ kind: 'succeeded', version: '2.0.0' });
    expect(r.stayAwake).toBeUndefined();
    expect(d.fx.power.sleeps).toHaveLength(d.sleepsBefore + 1); // committed: deep sleep is safe again
  });

  it('samples every channel although none is due, for the "sensors read" evidence', async () => {
    const uplink = fakeUplink({ brokerReached: true, published: 1, checkIn: { serverTimeMs: 0 } });
    const d = await pendingDevice(uplink);
    d.fx.clock.advance(1_000); // the old image slept its planned time; this boot comes early
    const r = await runWakeCycle(d.node);
    expect(r.sampled.map((s) => s.channel).sort()).toEqual(d.node.channels.map((c) => c.config.name).sort());
    expect(d.slots.runningState()).toBe('valid');
  });

  it('cannot reach the server: stays awake (never deep sleep), retries shortly, rolls back on the health timeout', async () => {
    const uplink = fakeUplink({ brokerReached: false, published: 0 });
    const d = await pendingDevice(uplink);
    uplink.retryAtMs = d.fx.clock.wallMs() + 3_600_000; // a backoff left by the old image is ignored
    const results: WakeResult[] = [];
    for (let i = 0; i < 40 && d.fx.power.restarts === 1; i++) {
      const r = await runWakeCycle(d.node);
      results.push(r);
      if (r.stayAwake !== true) break;
      expect(d.fx.power.sleeps).toHaveLength(d.sleepsBefore); // no deep sleep while pending
      expect(r.next.sleepMs).toBeGreaterThan(0);
      expect(r.next.sleepMs).toBeLessThanOrEqual(PENDING_VERIFY_POLL_MS);
      expect(r.next.reasons).toEqual(['pending-verify']);
      d.fx.clock.advance(r.next.sleepMs); // the host's light sleep
    }
    expect(d.fx.power.restarts).toBe(2); // the updater's rollback restarted the device
    expect(d.updater.isPendingVerify()).toBe(false);
    expect(d.onBoots()).toBe(1); // one boot: the health clock was not restarted by later cycles
    const stayed = results.filter((r) => r.stayAwake === true).length;
    expect(stayed).toBe(HEALTH_TIMEOUT_MS / PENDING_VERIFY_POLL_MS);
    // Every cycle of the boot opened a window with a check-in, despite the backoff.
    const windows = uplink.windows.slice(d.windowsBefore);
    expect(windows).toHaveLength(results.length);
    expect(windows.every((w) => w.checkIn && w.reasons.indexOf('update') >= 0)).toBe(true);
    expect(d.slots.entry(1)?.state).toBe('invalid');
    expect(d.kv.get(KV.outcome)).toBeDefined();
    expect(d.updater.pendingOutcome()).toMatchObject({ kind: 'rolled_back', reason: 'ERR_OTA_HEALTH' });
    // Channels were sampled once for the evidence, then on their own schedule only.
    expect(results[1]!.sampled).toHaveLength(0);
  });

  it('runWakeCycles waits with the host idle function while the cycle stays awake', async () => {
    const uplink = fakeUplink({ brokerReached: false, published: 0 });
    const d = await pendingDevice(uplink);
    const waits: number[] = [];
    const last = await runWakeCycles(d.node, { idle: async (ms) => { waits.push(ms); d.fx.clock.advance(ms); } });
    expect(last.stayAwake).toBeUndefined();
    expect(waits.length).toBe(HEALTH_TIMEOUT_MS / PENDING_VERIFY_POLL_MS);
    expect(d.fx.power.sleeps).toHaveLength(d.sleepsBefore + 1); // only after the rollback
    expect(d.fx.power.restarts).toBe(2);
  });

  it('runWakeCycles without a timer port or idle function refuses to stay awake silently', async () => {
    const d = await pendingDevice(fakeUplink({ brokerReached: false, published: 0 }));
    await expect(runWakeCycles(d.node)).rejects.toMatchObject({ code: 'ERR_PORT_MISSING' });
    expect(d.fx.power.sleeps).toHaveLength(d.sleepsBefore);
  });

  it('after the rollback, the old image reports the outcome at its first cycle, not a check-in period later', async () => {
    // The new image's check-ins are answered (so the next one is a whole period away), but it
    // never reaches the broker: the health check fails and the updater rolls back.
    const uplink = fakeUplink({ brokerReached: false, published: 0, checkIn: { serverTimeMs: 0 } });
    const d = await pendingDevice(uplink);
    await runWakeCycles(d.node, { idle: async (ms) => { d.fx.clock.advance(ms); } });
    expect(d.fx.power.restarts).toBe(2); // rolled back; the bootloader now starts 1.0.0 again
    // On the device restart() does not return; the model's does, and its cycle then slept. The
    // boot that follows the restart is what the old image sees:
    d.fx.power.setBoot('software');
    const oldImage = new Updater({
      slots: d.slots, kv: d.kv, crypto: unusedCrypto, source: { read: () => { throw new Error('no download'); } },
      power: d.fx.power, clock: d.fx.clock, identity: { board: 'b1', version: '1.0.0', securityVersion: 1 },
      trustedKeys: [new Uint8Array(32)], healthTimeoutMs: HEALTH_TIMEOUT_MS,
    });
    // The server answers again; the retained record still has the check-in hours away.
    uplink.answer = { brokerReached: true, published: 1, checkIn: { serverTimeMs: 0 } };
    uplink.retryAtMs = undefined;
    const windowsBefore = uplink.windows.length;
    const r = await runWakeCycle(createNode({ ...d.fx.wiring(), update: oldImage }));
    const w = uplink.windows[windowsBefore]!;
    expect(w.checkIn).toBe(true);
    expect(w.reasons).toContain('check-in');
    expect(w.status.updateOutcome).toMatchObject({ kind: 'rolled_back', version: '2.0.0', reason: 'ERR_OTA_HEALTH' });
    expect(r.boot.resetReason).toBe('software');
    expect(r.window.outcome?.checkIn).toBeDefined();
    expect(oldImage.pendingOutcome()).toBeUndefined(); // acknowledged by the answer

    // An ordinary deep-sleep wake right after checks in only when the period says so.
    d.fx.clock.advance(r.next.sleepMs);
    const windowsAfter = uplink.windows.length;
    const next = await runWakeCycle(createNode({ ...d.fx.wiring(), update: oldImage }));
    expect(d.fx.power.resetReason()).toBe('deep-sleep');
    expect(uplink.windows.slice(windowsAfter).some((x) => x.checkIn)).toBe(false);
    expect(next.window.reasons).not.toContain('check-in');
  });
});

describe('pendingVerifyWake', () => {
  const planned = (sleepMs: number): NextWake => ({ atMs: 1_000 + sleepMs, sleepMs, reasons: ['due'], tasks: [], radio: [], stretched: false });

  it('waits the plan\'s time, at most the poll period', () => {
    expect(pendingVerifyWake(planned(4_000), 1_000)).toMatchObject({ sleepMs: 4_000, atMs: 5_000, reasons: ['pending-verify'] });
    expect(pendingVerifyWake(planned(600_000), 1_000).sleepMs).toBe(PENDING_VERIFY_POLL_MS);
  });

  it('never polls at once, even when the plan says now (an alarm still waiting for the broker)', () => {
    expect(pendingVerifyWake(planned(0), 1_000)).toMatchObject({ sleepMs: PENDING_VERIFY_MIN_POLL_MS, atMs: 1_000 + PENDING_VERIFY_MIN_POLL_MS });
  });
});
