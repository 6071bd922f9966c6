/**
 * A whole boot of the ESP32 host (hosts/esp32/device.ts): the real core, the real uplink and the
 * ESP32 ports over fakes of the Moddable modules, lwIP TCP over node:net to a real (Aedes)
 * broker. Each runDevice() is one wake; the fake deep sleep returns, so the next call is the
 * next wake with the same RTC record, NVS and flash.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decode, PENDING_VERIFY_POLL_MS, type SenmlRecord } from '../../firmware/index.js';
import { encodeCheckInAnswer } from '../../firmware/messages/checkin.js';
import { encodeProvisionAnswer } from '../../firmware/messages/provision.js';
import { SimFlash } from '../../hosts/node/flash.js';
import { runDevice } from '../../hosts/esp32/device.js';
import { KV_NAMESPACE } from '../../hosts/esp32/kv.js';
import type { AnalogConstructor, DigitalConstructor, Moddable, SensorDriverClass, TcpConstructor, TlsConstructor, WiFiConstructor } from '../../hosts/esp32/moddable-types.js';
import { createEsp32Retained } from '../../hosts/esp32/retained.js';
import { closedPort } from '../contract/socket.js';
import { connectConsumer, Inbox, startAedes, type TestBroker } from '../support/mqtt/brokers.js';
import { bootFake, FakeDigest, FakeNative, fakeFlashStorage, FakeNvs, FakeTime, FakeWiFi, LwipTcp, RST } from './fakes.js';

const T0 = Date.UTC(2026, 4, 1, 12);

function sensorDriver(sample: () => unknown): SensorDriverClass {
  return class {
    configure() {}
    sample() { return sample(); }
    close() {}
  } as unknown as SensorDriverClass;
}

class Digital {
  static readonly Input = 'input';
  read() { return 1; }
  close() {}
}

class Analog {
  readonly resolution = 12;
  read() { return 2300; }
  close() {}
}

interface Rig {
  m: Moddable;
  sim: SimFlash;
  native: FakeNative;
  /** 'restart' and 'deep-sleep', in order (the fakes return from both). */
  events: string[];
  nvs: FakeNvs;
  traced: string[];
  wall: { ms: number };
  timers: Set<ReturnType<typeof setTimeout>>;
}

/**
 * `speed` runs the timer module fast: a timer of ms fires after ms / speed real ms and then moves
 * the wall clock and Time.ticks to its due time (a virtual clock driven by the timers), so that a
 * pending image's waits and its 120 s health timeout pass in a moment.
 */
function rig(config: Record<string, unknown>, options: { speed?: number } = {}): Rig {
  const sim = new SimFlash({
    partitions: [
      { label: 'otadata', offset: 0, size: 0x2000 },
      { label: 'ota_0', offset: 0x2000, size: 0x4000 },
      { label: 'ota_1', offset: 0x6000, size: 0x4000 },
      { label: 'outbox', offset: 0xa000, size: 0x4000 },
    ],
  });
  sim.area('ota_0').write(0, Uint8Array.of(0xe9, 0, 0, 0));
  const native = new FakeNative();
  native.resetReason = RST.POWERON;
  bootFake(native, sim);
  const nvs = new FakeNvs();
  const traced: string[] = [];
  const wall = { ms: T0 };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const events: string[] = [];
  const deepSleep = native.sn_deep_sleep.bind(native);
  native.sn_deep_sleep = () => {
    events.push('deep-sleep');
    deepSleep();
  };
  const time = new FakeTime();
  const speed = options.speed;
  let virtualMs = 0;
  const m: Moddable = {
    analog: Analog as unknown as AnalogConstructor,
    digital: Digital as unknown as DigitalConstructor,
    tcp: LwipTcp as unknown as TcpConstructor,
    tls: class {} as unknown as TlsConstructor,
    wifi: FakeWiFi as unknown as WiFiConstructor,
    flash: fakeFlashStorage(sim, () => native.sn_ota_running_slot()),
    keyValue: nvs,
    digest: FakeDigest,
    drivers: {
      sht3x: sensorDriver(() => ({ thermometer: { temperature: 22.5 }, hygrometer: { humidity: 41 } })),
      bmp280: sensorDriver(() => ({ barometer: { pressure: 101_000 }, thermometer: { temperature: 22 } })),
      bme68x: sensorDriver(() => undefined),
    },
    smbus: 'SMBus',
    defaultI2c: { data: 4, clock: 5 },
    config: { awake_ms: 20_000, wifi_ssid: 'home', wifi_password: 'pw', sensors: [{ id: 'sht3x', kind: 'sht3x' }, { id: 'bmp280', kind: 'bmp280' }], ...config },
    time,
    timer: {
      set: (callback, ms = 0) => {
        const due = virtualMs + ms;
        const t = setTimeout(() => {
          timers.delete(t);
          if (speed !== undefined && due > virtualMs) {
            wall.ms += due - virtualMs;
            time.advance(due - virtualMs);
            virtualMs = due;
          }
          callback();
        }, speed === undefined ? ms : ms / speed);
        timers.add(t);
        return t;
      },
      clear: (t) => {
        clearTimeout(t as ReturnType<typeof setTimeout>);
        timers.delete(t as ReturnType<typeof setTimeout>);
      },
      delay: () => undefined,
    },
    native: () => native,
    resolve: (name, callback) => setTimeout(() => callback(name, undefined), 1),
    restart: () => { events.push('restart'); },
    trace: (text) => traced.push(text),
    now: () => wall.ms,
  };
  return { m, sim, native, events, nvs, traced, wall, timers };
}

const codes = (traced: string[]) => traced.map((l) => l.trim().split(' ')[1]);

describe('ESP32 device: one boot = one wake cycle', () => {
  const rigs: Rig[] = [];
  afterEach(() => {
    for (const r of rigs) for (const t of r.timers) clearTimeout(t);
    rigs.length = 0;
    FakeWiFi.instances = [];
  });

  it('samples, saves the RTC record and deep-sleeps; without credentials the radio stays off', async () => {
    const r = rig({});
    rigs.push(r);
    await runDevice(r.m);
    expect(codes(r.traced)).not.toContain('WAKE_FAILED');
    expect(codes(r.traced)).toContain('NOT_PROVISIONED');
    expect(r.native.sleep.slept).toBe(1);
    expect(r.native.sleep.timerMs).toBeGreaterThan(0);
    expect(FakeWiFi.instances).toHaveLength(0);
    expect(createEsp32Retained(() => r.native).port.load()).toBeDefined();

    // The next wake: a deep-sleep reset with the same RTC record, so no cold start.
    r.native.resetReason = RST.DEEPSLEEP;
    r.wall.ms += r.native.sleep.timerMs!;
    r.traced.length = 0;
    await runDevice(r.m);
    expect(codes(r.traced)).not.toContain('COLD_START');
    expect(r.native.sleep.slept).toBe(2);
  });

  it('backs off provisioning that failed: the next wake does not turn the radio on for it', async () => {
    const closed = await closedPort();
    const r = rig({ server_host: '127.0.0.1', server_port: closed, server_tls: false, claim_secret: 'claim-secret-0123' });
    rigs.push(r);
    await runDevice(r.m);
    expect(codes(r.traced)).toContain('PROVISIONING_FAILED');
    expect(FakeWiFi.instances).toHaveLength(1);
    r.native.resetReason = RST.DEEPSLEEP;
    r.traced.length = 0;
    await runDevice(r.m);
    expect(codes(r.traced)).toContain('PROVISIONING_DEFERRED');
    expect(FakeWiFi.instances).toHaveLength(1);
    expect(r.native.sleep.slept).toBe(2);
  });

  it('sleeps even when the host config is broken or the sensors have no bus', async () => {
    const r = rig({ wifi_join_ms: 'soon', sensors: [{ id: 'sht3x', kind: 'sht3x' }, { id: 'bmp280', kind: 'bmp280' }] });
    r.m.defaultI2c = undefined;
    rigs.push(r);
    await runDevice(r.m);
    expect(codes(r.traced)).toContain('HOST_CONFIG_INVALID');
    expect(r.native.sleep.slept).toBe(1);
  });

  it('a wake that fails in the core still ends in deep sleep, after the fallback period', async () => {
    const r = rig({ node: { deviceId: 'bad id with spaces' } });
    rigs.push(r);
    await runDevice(r.m);
    expect(codes(r.traced)).toContain('WAKE_FAILED');
    expect(r.native.sleep.timerMs).toBe(5 * 60_000);
    expect(r.native.sleep.slept).toBe(1);
  });
});

describe('ESP32 device: provisioned, with a broker', () => {
  let broker: TestBroker;
  const rigs: Rig[] = [];
  beforeAll(async () => {
    broker = await startAedes();
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(() => {
    for (const r of rigs) for (const t of r.timers) clearTimeout(t);
    rigs.length = 0;
    FakeWiFi.instances = [];
  });

  it('joins Wi-Fi in the radio window and publishes the readings to the broker', async () => {
    const r = rig({ device_id: 'esp32-test-1' });
    rigs.push(r);
    const kv = r.nvs.open({ path: KV_NAMESPACE });
    kv.write('prov.creds', encodeProvisionAnswer({
      deviceToken: 'device-token-0123456789',
      mqtt: { username: 'esp32-test-1', password: 'pw-123456', brokers: [{ host: broker.host, port: broker.port }] },
    }));
    const consumer = await connectConsumer(broker.url);
    const inbox = new Inbox(consumer);
    await new Promise<void>((resolve) => consumer.subscribe('nodes/esp32-test-1/up', { qos: 1 }, () => resolve()));

    await runDevice(r.m);
    expect(codes(r.traced)).not.toContain('WAKE_FAILED');
    expect(codes(r.traced)).toContain('WIFI_UP');
    expect(FakeWiFi.instances).toHaveLength(1);
    await inbox.waitFor((messages) => messages.length > 0);
    const pack = decode(inbox.messages[0]!.payload) as Array<Map<number, unknown>> | SenmlRecord[];
    expect(Array.isArray(pack)).toBe(true);
    expect(r.native.sleep.slept).toBe(1);
    consumer.end(true);
  });

  it('wires the A/B updater when a server and trusted keys are configured, and still publishes', async () => {
    const r = rig({ device_id: 'esp32-test-2', server_host: '127.0.0.1', server_port: 9, server_tls: false, ota_keys: ['11'.repeat(32)] });
    rigs.push(r);
    r.nvs.open({ path: KV_NAMESPACE }).write('prov.creds', encodeProvisionAnswer({
      deviceToken: 'device-token-0123456789',
      mqtt: { username: 'esp32-test-2', password: 'pw-123456', brokers: [{ host: broker.host, port: broker.port }] },
    }));
    await runDevice(r.m);
    expect(codes(r.traced)).not.toContain('WAKE_FAILED');
    expect(codes(r.traced)).not.toContain('OTA_OFF');
    expect(r.native.sleep.slept).toBe(1);
  });
});

describe('ESP32 device: a new image pending verification stays awake in its one boot', () => {
  let broker: TestBroker;
  let failChecks = 0;
  const checkIns: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      checkIns.push(Date.now());
      if (failChecks > 0) {
        failChecks--;
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/cbor' });
      res.end(Buffer.from(encodeCheckInAnswer({ serverTimeMs: T0 })));
    });
  });
  let httpPort = 0;
  const rigs: Rig[] = [];
  beforeAll(async () => {
    broker = await startAedes();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    httpPort = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await broker.close();
  });
  afterEach(() => {
    for (const r of rigs) for (const t of r.timers) clearTimeout(t);
    rigs.length = 0;
    FakeWiFi.instances = [];
    checkIns.length = 0;
  });

  /** Slot 1 activated by the old image and booted by the bootloader: PENDING_VERIFY. */
  function pendingRig(deviceId: string, serverPort: number): Rig {
    const r = rig({
      device_id: deviceId, server_host: '127.0.0.1', server_port: serverPort, server_tls: false, ota_keys: ['11'.repeat(32)],
      firmware_version: '2.0.0', awake_ms: 600_000,
    }, { speed: 100 });
    rigs.push(r);
    r.nvs.open({ path: KV_NAMESPACE }).write('prov.creds', encodeProvisionAnswer({
      deviceToken: 'device-token-0123456789',
      mqtt: { username: deviceId, password: 'pw-123456', brokers: [{ host: broker.host, port: broker.port }] },
    }));
    r.sim.area('ota_1').write(0, Uint8Array.of(0xe9, 2, 0, 0));
    expect(r.native.sn_ota_activate_next()).toBe(0);
    bootFake(r.native, r.sim);
    r.native.resetReason = RST.SW;
    expect(r.native.sn_ota_running_slot()).toBe(1);
    expect(r.native.sn_ota_running_state()).toBe(1); // pending-verify
    return r;
  }

  it('commits in a later cycle of the same boot, without a deep sleep in between', async () => {
    const r = pendingRig('esp32-pv-1', httpPort);
    failChecks = 1; // the first check-in is not answered: no commit in the first cycle
    const startMs = r.wall.ms;
    await runDevice(r.m);
    expect(codes(r.traced)).not.toContain('WAKE_FAILED');
    expect(checkIns).toHaveLength(2);
    expect(codes(r.traced)).toContain('OTA_COMMITTED');
    expect(r.native.sn_ota_running_state()).toBe(2); // valid
    expect(r.events).toEqual(['deep-sleep']); // only after the commit
    expect(r.wall.ms - startMs).toBeGreaterThanOrEqual(PENDING_VERIFY_POLL_MS); // it waited, awake
    expect(codes(r.traced)).not.toContain('AWAKE_DEADLINE');
  });

  it('never reaching the server, it stays awake until the health timeout, then rolls back (restart)', async () => {
    const closed = await closedPort();
    const r = pendingRig('esp32-pv-2', closed);
    const startMs = r.wall.ms;
    await runDevice(r.m);
    expect(codes(r.traced)).toContain('OTA_ROLLING_BACK');
    expect(r.events[0]).toBe('restart'); // no deep sleep before the rollback's restart
    expect(r.wall.ms - startMs).toBeGreaterThanOrEqual(120_000); // the updater's health timeout
    expect(codes(r.traced).filter((c) => c === 'CHECKIN_FAILED').length).toBeGreaterThanOrEqual(120_000 / PENDING_VERIFY_POLL_MS);

    // After the restart the bootloader runs the old image, which reports the rollback.
    bootFake(r.native, r.sim);
    expect(r.native.sn_ota_running_slot()).toBe(0);
    r.traced.length = 0;
    await runDevice(r.m);
    expect(codes(r.traced)).toContain('OTA_ROLLED_BACK');
  });
});
