import { beforeEach, describe, expect, it } from 'vitest';
import type { LogPort } from '../../firmware/index.js';
import type { WiFiConstructor } from '../../hosts/esp32/moddable-types.js';
import { createEsp32Retained } from '../../hosts/esp32/retained.js';
import { createEsp32Wifi, decodeWifiCache, encodeWifiCache, type WifiConfig } from '../../hosts/esp32/wifi.js';
import { FakeNative, FakeWiFi } from './fakes.js';

const setTimer = (callback: () => void, ms: number) => {
  const t = setTimeout(callback, ms);
  return () => clearTimeout(t);
};

function setup(config: Partial<WifiConfig> = {}) {
  const native = new FakeNative();
  const retained = createEsp32Retained(() => native);
  const logged: string[] = [];
  const log: LogPort = { log: (_level, code) => logged.push(code) };
  const start = performance.now();
  const make = () => createEsp32Wifi({
    WiFi: FakeWiFi as unknown as WiFiConstructor,
    native: () => native,
    config: { ssid: 'home', password: 'secret', joinTimeoutMs: 400, fastJoinMs: 100, ...config },
    cache: retained.host,
    setTimer,
    now: () => performance.now() - start,
    log,
    pollMs: 5,
  });
  // sn_wifi_connect_bssid acts on the latest WiFi object, as the native call acts on the one station.
  native.onConnectBssid = () => {
    FakeWiFi.instances.at(-1)!.attempt(fastJoinWorks, 5);
    return 0;
  };
  let fastJoinWorks = true;
  return { native, retained, logged, make, setFast: (ok: boolean) => { fastJoinWorks = ok; } };
}

describe('ESP32 Wi-Fi join', () => {
  beforeEach(() => {
    FakeWiFi.instances = [];
    FakeWiFi.join = { ok: true, afterMs: 5 };
  });

  it('joins by scan the first time and caches the channel and BSSID in the retained record', async () => {
    const { native, retained, logged, make } = setup();
    const wifi = make();
    await wifi.up();
    expect(wifi.isUp).toBe(true);
    expect(FakeWiFi.instances[0]!.connects).toEqual([{ SSID: 'home', password: 'secret' }]);
    expect(native.wifiCalls).toEqual([]);
    expect(decodeWifiCache(retained.host.load())).toEqual({ channel: 6, bssid: Uint8Array.of(1, 2, 3, 4, 5, 6) });
    expect(logged).toContain('WIFI_UP');
  });

  it('joins the cached access point on its channel without scanning on the next wake', async () => {
    const s = setup();
    await s.make().up();
    FakeWiFi.instances = [];
    await s.make().up();
    expect(s.native.wifiCalls).toEqual([{ fn: 'connect_bssid', args: ['home', 'secret', [1, 2, 3, 4, 5, 6], 6] }]);
    expect(FakeWiFi.instances[0]!.connects).toEqual([]);
  });

  it('falls back to a scan when the cached access point does not answer, and forgets it', async () => {
    const s = setup();
    await s.make().up();
    s.setFast(false);
    s.native.apInfo = { bssid: [9, 9, 9, 9, 9, 9], channel: 11, rssi: -50 };
    await s.make().up();
    const station = FakeWiFi.instances.at(-1)!;
    expect(station.disconnects).toBe(1);
    expect(station.connects).toHaveLength(1);
    expect(s.logged).toContain('WIFI_FAST_JOIN_MISSED');
    expect(decodeWifiCache(s.retained.host.load())).toEqual({ channel: 11, bssid: Uint8Array.of(9, 9, 9, 9, 9, 9) });
  });

  it('gives up at the deadline with ERR_WIFI_JOIN, once per wake', async () => {
    FakeWiFi.join = { ok: false, afterMs: 5 };
    const { make } = setup({ joinTimeoutMs: 60 });
    const wifi = make();
    const started = performance.now();
    await expect(wifi.up()).rejects.toMatchObject({ code: 'ERR_WIFI_JOIN' });
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(wifi.up()).rejects.toMatchObject({ code: 'ERR_WIFI_JOIN' });
    expect(FakeWiFi.instances).toHaveLength(1);
    expect(wifi.isUp).toBe(false);
  });

  it('forgetFailure lets the next window join again after a failure, and is a no-op once joined', async () => {
    FakeWiFi.join = { ok: false, afterMs: 5 };
    const { make } = setup({ joinTimeoutMs: 60 });
    const wifi = make();
    await expect(wifi.up()).rejects.toMatchObject({ code: 'ERR_WIFI_JOIN' });
    FakeWiFi.join = { ok: true, afterMs: 5 };
    wifi.forgetFailure();
    await wifi.up();
    expect(wifi.isUp).toBe(true);
    expect(FakeWiFi.instances).toHaveLength(2);
    wifi.forgetFailure();
    await wifi.up();
    expect(FakeWiFi.instances).toHaveLength(2); // joined: no second join
  });

  it('keeps to a shorter budget from the caller', async () => {
    FakeWiFi.join = { ok: true, afterMs: 200 };
    const { make } = setup({ joinTimeoutMs: 10_000 });
    await expect(make().up(30)).rejects.toMatchObject({ code: 'ERR_WIFI_JOIN' });
  });

  it('sets a static address before joining', async () => {
    const { native, make } = setup({ staticIp: { address: '192.168.1.77', netmask: '255.255.255.0', gateway: '192.168.1.1', dns: '1.1.1.1' } });
    await make().up();
    expect(native.wifiCalls[0]).toEqual({ fn: 'static_ip', args: ['192.168.1.77', '255.255.255.0', '192.168.1.1', '1.1.1.1'] });
  });

  it('refuses to join without an SSID', async () => {
    await expect(setup({ ssid: '' }).make().up()).rejects.toMatchObject({ code: 'ERR_WIFI_JOIN', message: expect.stringMatching(/wifi_ssid/) });
  });

  it('reads back only a sane cache', () => {
    const cache = { channel: 13, bssid: Uint8Array.of(0xaa, 1, 2, 3, 4, 5) };
    expect(decodeWifiCache(encodeWifiCache(cache))).toEqual(cache);
    expect(decodeWifiCache(undefined)).toBeUndefined();
    expect(decodeWifiCache(Uint8Array.of(1, 0, 1, 2, 3, 4, 5, 6))).toBeUndefined(); // channel 0
    expect(decodeWifiCache(Uint8Array.of(1, 6, 0, 0, 0, 0, 0, 0))).toBeUndefined(); // no BSSID
    expect(decodeWifiCache(Uint8Array.of(2, 6, 1, 2, 3, 4, 5, 6))).toBeUndefined(); // other version
  });
});
