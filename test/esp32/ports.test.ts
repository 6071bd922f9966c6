/**
 * The ESP32 host's ports against the shared contract suites, over fakes that behave as the
 * Moddable modules and native calls do on the chip (test/esp32/fakes.ts).
 */
import { describe, expect, it } from 'vitest';
import type { KvPort } from '../../firmware/index.js';
import { createOtaFlash, SimFlash } from '../../hosts/node/flash.js';
import { createEsp32Clock } from '../../hosts/esp32/clock.js';
import { createEsp32FirmwareSlots } from '../../hosts/esp32/firmware-slots.js';
import { createEsp32Flash, createFlashArea, WRITE_ALIGN } from '../../hosts/esp32/flash.js';
import { createEsp32Kv, KV_NAMESPACE } from '../../hosts/esp32/kv.js';
import { createTraceLog, formatLogLine } from '../../hosts/esp32/log.js';
import { createEsp32Random } from '../../hosts/esp32/random.js';
import { createProvisionBackoff } from '../../hosts/esp32/provision-backoff.js';
import { createEsp32Retained, HOST_RESERVE, hostSlots } from '../../hosts/esp32/retained.js';
import { createEsp32Timer } from '../../hosts/esp32/timer.js';
import { describeClockContract } from '../contract/clock.js';
import { describeFirmwareSlotsContract } from '../contract/firmware-slots.js';
import { describeFlashContract } from '../contract/flash.js';
import { describeKvContract } from '../contract/kv.js';
import { describeRetainedContract } from '../contract/retained.js';
import { describeTimerContract } from '../contract/timer.js';
import { bootFake, FakeNative, fakeFlashStorage, FakeNvs, FakeTime, fakeTimer, RST } from './fakes.js';

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const nvsOf = new WeakMap<KvPort, FakeNvs>();
describeKvContract('ESP32 NVS (embedded:storage/key-value)', () => {
  const nvs = new FakeNvs();
  const kv = createEsp32Kv(nvs);
  nvsOf.set(kv, nvs);
  return kv;
}, { reopen: (kv) => createEsp32Kv(nvsOf.get(kv)!) });

describe('ESP32 kv: durability and NVS details', () => {
  it('a second port on the same NVS sees every committed write and delete', () => {
    const nvs = new FakeNvs();
    const a = createEsp32Kv(nvs);
    a.set('node.config', Uint8Array.of(1, 2));
    a.set('x', new Uint8Array(0));
    a.delete('x');
    const b = createEsp32Kv(nvs);
    expect(b.get('node.config')).toEqual(Uint8Array.of(1, 2));
    expect(b.keys()).toEqual(['node.config']);
    expect(nvs.commits).toBe(3);
  });

  it('uses one namespace within the NVS limit', () => {
    const nvs = new FakeNvs();
    createEsp32Kv(nvs).set('k', Uint8Array.of(1));
    expect([...nvs.namespaces.keys()]).toEqual([KV_NAMESPACE]);
    expect(KV_NAMESPACE.length).toBeLessThanOrEqual(15);
  });

  it('reads a key of another NVS type as absent rather than failing', () => {
    const nvs = new FakeNvs();
    const kv = createEsp32Kv(nvs);
    kv.set('other', Uint8Array.of(1));
    nvs.namespaces.get(KV_NAMESPACE)!.set('s', 'a string');
    expect(kv.get('s')).toBeUndefined();
  });
});

describeRetainedContract('ESP32 RTC record (native/retained.c)', () => createEsp32Retained(() => new FakeNative()).port);

describe('ESP32 retained record', () => {
  it('keeps the core record and the host section apart, across a deep sleep', () => {
    const native = new FakeNative();
    const first = createEsp32Retained(() => native);
    first.port.save(Uint8Array.of(1, 2, 3));
    first.host.save(Uint8Array.of(9, 9));
    first.port.save(Uint8Array.of(4));
    const woken = createEsp32Retained(() => native);
    expect(woken.port.load()).toEqual(Uint8Array.of(4));
    expect(woken.host.load()).toEqual(Uint8Array.of(9, 9));
  });

  it('saving the host section before the core loaded keeps the core record', () => {
    const native = new FakeNative();
    createEsp32Retained(() => native).port.save(Uint8Array.of(7));
    const woken = createEsp32Retained(() => native);
    woken.host.save(Uint8Array.of(1));
    expect(createEsp32Retained(() => native).port.load()).toEqual(Uint8Array.of(7));
  });

  it('offers the native capacity less the frame and the host reserve', () => {
    const retained = createEsp32Retained(() => new FakeNative(512));
    expect(retained.port.capacity).toBe(512 - 4 - HOST_RESERVE);
    expect(() => retained.host.save(new Uint8Array(HOST_RESERVE + 1))).toThrow(expect.objectContaining({ code: 'ERR_RETAINED_TOO_LARGE' }));
  });

  it('is empty after a power cut, and ignores a record that is not its frame', () => {
    const native = new FakeNative();
    createEsp32Retained(() => native).port.save(Uint8Array.of(1));
    native.powerCut();
    expect(createEsp32Retained(() => native).port.load()).toBeUndefined();
    native.sn_retained_write(Uint8Array.of(2, 5, 0, 1).buffer, 4); // version 2: another firmware's frame
    expect(createEsp32Retained(() => native).port.load()).toBeUndefined();
  });
});

describe('ESP32 host section slots and provisioning backoff', () => {
  it('keeps several small records apart in the host section, across a wake', () => {
    const native = new FakeNative();
    const [a, b] = hostSlots(createEsp32Retained(() => native).host, 2);
    b!.save(Uint8Array.of(7, 7));
    a!.save(Uint8Array.of(1, 2, 3));
    const [a2, b2] = hostSlots(createEsp32Retained(() => native).host, 2);
    expect([a2!.load(), b2!.load()]).toEqual([Uint8Array.of(1, 2, 3), Uint8Array.of(7, 7)]);
    a2!.save(new Uint8Array(0));
    expect([a2!.load(), b2!.load()]).toEqual([undefined, Uint8Array.of(7, 7)]);
  });

  it('skips 1, 3, 7 ... up to 63 wakes between failed provisioning tries, and forgets after success', () => {
    const [slot] = hostSlots(createEsp32Retained(() => new FakeNative()).host, 1);
    const backoff = createProvisionBackoff(slot!);
    const gaps: number[] = [];
    for (let failure = 0; failure < 8; failure++) {
      expect(backoff.due()).toBe(true);
      backoff.failed();
      let skipped = 0;
      while (!backoff.due()) skipped++;
      gaps.push(skipped);
      // due() returned true: that wake tries again (and fails again).
    }
    expect(gaps).toEqual([1, 3, 7, 15, 31, 63, 63, 63]);
    backoff.succeeded();
    expect(backoff.due()).toBe(true);
  });
});

describeClockContract('ESP32 clock (Date.now, Time.set, Time.ticks)', () => {
  const time = new FakeTime();
  let wall = Date.UTC(2026, 0, 1);
  time.set = (seconds: number) => {
    wall = seconds * 1000;
  };
  const clock = createEsp32Clock(time, () => wall);
  return {
    clock,
    elapse: async (ms: number) => {
      time.advance(ms);
      wall += ms;
    },
  };
});

describe('ESP32 clock', () => {
  it('keeps monotonic time growing across the 32-bit wrap of Time.ticks', () => {
    const time = new FakeTime(0x7ffffff0);
    const clock = createEsp32Clock(time, () => 0);
    const start = clock.monotonicMs();
    time.advance(0x20); // ticks wraps to a negative number
    expect(time.ticks).toBeLessThan(0);
    expect(clock.monotonicMs() - start).toBe(0x20);
    time.advance(1000);
    expect(clock.monotonicMs() - start).toBe(0x20 + 1000);
  });

  it('sets the system clock in seconds', () => {
    const time = new FakeTime();
    createEsp32Clock(time, () => 0).setWallMs(1_750_000_000_500);
    expect(time.wallSetTo).toBe(1_750_000_000.5);
  });
});

describeTimerContract('ESP32 timer (Moddable Timer)', () => ({ timer: createEsp32Timer(fakeTimer()), elapse: (ms) => wait(ms + 5) }));

describe('ESP32 random and log', () => {
  it('maps 32 random bits into [0, 1)', () => {
    const native = new FakeNative();
    const random = createEsp32Random(() => native);
    for (let i = 0; i < 1000; i++) {
      const x = random.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(createEsp32Random(() => ({ ...native, sn_random: () => 0xffffffff }) as FakeNative).next()).toBeLessThan(1);
  });

  it('writes one trace line per entry, at or above its level, in the node host format', () => {
    const lines: string[] = [];
    const log = createTraceLog((t) => lines.push(t), 'info');
    log.log('debug', 'HIDDEN');
    log.log('warn', 'SENSOR_ERROR', { sensor: 'sht3x', n: 1n, bytes: Uint8Array.of(1, 2) });
    expect(lines).toEqual(['warn SENSOR_ERROR {"sensor":"sht3x","n":"1","bytes":"<2 bytes>"}\n']);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(formatLogLine('error', 'X', circular)).toBe('error X "<unserialisable fields>"');
  });
});

describeFlashContract('ESP32 flash area (embedded:storage/flash)', () => {
  const sim = new SimFlash({ partitions: [{ label: 'outbox', offset: 0, size: 4 * 4096 }] });
  return createEsp32Flash(fakeFlashStorage(sim, () => 0), { runningSlot: () => 0 }).area('outbox');
});

describe('ESP32 flash areas', () => {
  it('opens the running slot read-only and the other through "nextota"', () => {
    const sim = createOtaFlash({ slotSize: 16 * 1024 });
    const flash = createEsp32Flash(fakeFlashStorage(sim, () => 1), { runningSlot: () => 1 });
    const running = flash.area('ota_1');
    expect(() => running.erase(0, 4096)).toThrow(expect.objectContaining({ code: 'ERR_FLASH_RANGE' }));
    const next = flash.area('ota_0');
    next.erase(0, 4096);
    next.write(0, new Uint8Array(WRITE_ALIGN).fill(7));
    expect(sim.peek('ota_0', 0, 2)).toEqual(Uint8Array.of(7, 7));
    expect(flash.labels()).toContain('otadata');
  });

  it('names a missing partition with ERR_FLASH_RANGE', () => {
    const sim = new SimFlash({ partitions: [{ label: 'nvs', offset: 0, size: 8192 }] });
    expect(() => createEsp32Flash(fakeFlashStorage(sim, () => 0), { runningSlot: () => 0 }).area('outbox')).toThrow(expect.objectContaining({ code: 'ERR_FLASH_RANGE' }));
  });

  it('refuses writes off the 16-byte unit (flash encryption needs it)', () => {
    const sim = new SimFlash({ partitions: [{ label: 'd', offset: 0, size: 8192 }] });
    const area = createFlashArea('d', fakeFlashStorage(sim, () => 0).open({ path: 'd' }), false);
    expect(() => area.write(4, new Uint8Array(16))).toThrow(expect.objectContaining({ code: 'ERR_FLASH_ALIGN' }));
    expect(() => area.write(0, new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'ERR_FLASH_ALIGN' }));
  });
});

function slotsFixture() {
  const sim = createOtaFlash({ slotSize: 16 * 1024 });
  sim.area('ota_0').write(0, Uint8Array.of(0xe9, 0, 0, 0)); // factory image in ota_0
  const native = new FakeNative();
  const boot = () => {
    bootFake(native, sim);
    return createEsp32FirmwareSlots(() => native, createEsp32Flash(fakeFlashStorage(sim, () => native.sn_ota_running_slot()), { runningSlot: () => native.sn_ota_running_slot() }));
  };
  return { slots: boot(), restart: boot, native, sim };
}

describeFirmwareSlotsContract('ESP32 slots (esp_ota_ops through native/ota.c, slots through flash)', slotsFixture);

describe('ESP32 slots', () => {
  it('passes ESP-IDF refusals on with the port codes', () => {
    const { slots } = slotsFixture();
    // The inactive slot holds no image: ESP-IDF's check refuses to select it.
    expect(() => slots.activateInactive()).toThrow(expect.objectContaining({ code: 'ERR_OTA_STATE', message: expect.stringMatching(/ESP_ERR_OTA_VALIDATE_FAILED/) }));
    expect(() => slots.markInvalidAndRollBack()).toThrow(expect.objectContaining({ code: 'ERR_OTA_ROLLBACK_FAILED' }));
  });

  it('refuses to run outside an OTA slot', () => {
    const { native, slots } = slotsFixture();
    native.ota = undefined;
    native.sn_ota_running_slot = () => -1;
    expect(() => slots.running()).toThrow(expect.objectContaining({ code: 'ERR_OTA_STATE' }));
  });

  it('reports the reset reason codes the RTC record depends on', () => {
    expect(RST.POWERON).toBe(1);
    expect(RST.DEEPSLEEP).toBe(8);
  });
});
