/**
 * Wi-Fi join driven by the framework, with a deadline: Moddable's
 * embedded:network/interface/wifi starts the station and reports its state; we never use the
 * blocking setup/network (with config.ssid it holds main until an address arrives, forever if
 * the access point is gone).
 *
 * Fast path: the channel and BSSID of the last good join are kept in the retained record (host
 * section, hosts/esp32/retained.ts). The next wake joins that access point on that channel
 * without scanning (native sn_wifi_connect_bssid), which saves the all-channel scan on every
 * radio window; if it does not get an address within fastJoinMs, the cache is dropped and a
 * normal join (scan, strongest access point) runs for the rest of the deadline. An optional
 * static IPv4 configuration skips DHCP.
 *
 * The station counts as up when it is associated and has an IPv4 address: polled, because
 * Moddable signals "500" only once IPv6 link-local is up too, which adds a second or more.
 */
import { FirmwareError, type LogPort } from '../esp32-core.js';
import { espErrorName, type NativeApi, type WiFiConstructor, type WiFiInterface } from './moddable-types.js';
import type { HostRetained } from './retained.js';
import { isIpLiteral } from './socket.js';

export interface StaticIp {
  address: string;
  netmask: string;
  gateway: string;
  dns?: string;
}

export interface WifiConfig {
  ssid: string;
  password: string;
  /** Whole join, DHCP included. */
  joinTimeoutMs: number;
  /** Budget of the cached-BSSID attempt before a full join (0 = never use the cache). */
  fastJoinMs: number;
  staticIp?: StaticIp;
}

export interface WifiCache {
  channel: number;
  bssid: Uint8Array;
}

const CACHE_VERSION = 1;

export function encodeWifiCache(cache: WifiCache): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = CACHE_VERSION;
  out[1] = cache.channel;
  out.set(cache.bssid.subarray(0, 6), 2);
  return out;
}

export function decodeWifiCache(bytes: Uint8Array | undefined): WifiCache | undefined {
  if (bytes === undefined || bytes.length !== 8 || bytes[0] !== CACHE_VERSION) return undefined;
  const channel = bytes[1]!;
  const bssid = bytes.slice(2, 8);
  if (channel < 1 || channel > 14 || bssid.every((b) => b === 0) || bssid.every((b) => b === 0xff)) return undefined;
  return { channel, bssid };
}

export interface WifiLink {
  /** Joins (once per wake); budgetMs caps the join further. Rejects with ERR_WIFI_JOIN. */
  up(budgetMs?: number): Promise<void>;
  /**
   * After a failed join, lets the next up() try again (the failure is otherwise kept, so every
   * socket of a window fails at once). For a boot with several windows: a pending image's.
   */
  forgetFailure(): void;
  readonly isUp: boolean;
}

export interface Esp32WifiOptions {
  WiFi: WiFiConstructor;
  native: () => NativeApi;
  config: WifiConfig;
  cache: HostRetained;
  /** Host timer: calls back once after ms; returns a cancel function. */
  setTimer: (callback: () => void, ms: number) => () => void;
  /** Monotonic ms. */
  now: () => number;
  log: LogPort;
  pollMs?: number;
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

function hasAddress(wifi: WiFiInterface): boolean {
  const address = wifi.address;
  return wifi.connection >= 400 && typeof address === 'string' && IPV4.test(address) && address !== '0.0.0.0';
}

export function createEsp32Wifi(o: Esp32WifiOptions): WifiLink {
  let joining: Promise<void> | undefined;
  let failed = false;
  let isUp = false;
  const pollMs = o.pollMs ?? 50;

  /** Resolves true when the station has an address before `until` (monotonic ms). */
  function waitForAddress(wifi: WiFiInterface, until: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (hasAddress(wifi)) resolve(true);
        else if (o.now() >= until) resolve(false);
        else o.setTimer(check, pollMs);
      };
      check();
    });
  }

  async function join(budgetMs: number): Promise<void> {
    const { config } = o;
    if (config.ssid === '') throw new FirmwareError('ERR_WIFI_JOIN', 'no SSID configured (wifi_ssid)');
    const started = o.now();
    const deadline = started + Math.min(config.joinTimeoutMs, budgetMs);
    const wifi = new o.WiFi({});
    const native = o.native();
    if (config.staticIp !== undefined && isIpLiteral(config.staticIp.address)) {
      const s = config.staticIp;
      const err = native.sn_wifi_static_ip(s.address, s.netmask, s.gateway, s.dns ?? '');
      if (err !== 0) o.log.log('warn', 'WIFI_STATIC_IP_FAILED', { error: espErrorName(err) });
    }

    const cache = decodeWifiCache(o.cache.load());
    if (cache !== undefined && config.fastJoinMs > 0) {
      const err = native.sn_wifi_connect_bssid(config.ssid, config.password, cache.bssid.slice().buffer, cache.channel);
      if (err === 0 && await waitForAddress(wifi, Math.min(deadline, o.now() + config.fastJoinMs))) {
        o.log.log('info', 'WIFI_UP', { path: 'fast', channel: cache.channel, ms: o.now() - started });
        return;
      }
      o.log.log('info', 'WIFI_FAST_JOIN_MISSED', { channel: cache.channel, ...(err === 0 ? {} : { error: espErrorName(err) }) });
      wifi.disconnect();
      o.cache.save(new Uint8Array(0));
    }

    try {
      wifi.connect({ SSID: config.ssid, password: config.password });
    } catch (error) {
      throw new FirmwareError('ERR_WIFI_JOIN', (error as Error).message);
    }
    if (!await waitForAddress(wifi, deadline)) {
      wifi.disconnect();
      throw new FirmwareError('ERR_WIFI_JOIN', `no address after ${o.now() - started} ms (state ${wifi.connection})`);
    }
    const info = new ArrayBuffer(8);
    if (native.sn_wifi_ap_info(info) === 0) {
      const bytes = new Uint8Array(info);
      o.cache.save(encodeWifiCache({ channel: bytes[6]!, bssid: bytes.slice(0, 6) }));
    }
    o.log.log('info', 'WIFI_UP', { path: 'scan', ms: o.now() - started });
  }

  return {
    up(budgetMs = Number.POSITIVE_INFINITY) {
      joining ??= join(budgetMs).then(() => {
        isUp = true;
      }, (error: unknown) => {
        failed = true;
        throw error;
      });
      return joining;
    },
    forgetFailure() {
      if (!failed) return;
      failed = false;
      joining = undefined;
    },
    get isUp() {
      return isUp;
    },
  };
}
