import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_CONFIG, validateNodeConfig } from '../../firmware/index.js';
import { readHostConfig } from '../../hosts/esp32/config.js';

const root = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(resolve(root, 'manifests/sensor-node.json'), 'utf8')) as {
  config: Record<string, unknown>;
  platforms: Record<string, { config?: Record<string, unknown> }>;
};

describe('ESP32 host config (mc/config)', () => {
  it('reads the manifest config of every platform section', () => {
    for (const [platform, section] of Object.entries(manifest.platforms)) {
      if (platform === '...') continue;
      const config = readHostConfig({ ...manifest.config, ...section.config }, platform === 'esp32' ? undefined : { data: 4, clock: 5 });
      expect(config.i2c, platform).toBeDefined();
      expect(config.sensors.map((s) => s.kind)).toEqual(['sht3x', 'bmp280']);
      expect(config.wifi.joinTimeoutMs).toBeGreaterThan(config.wifi.fastJoinMs);
    }
  });

  it('names sensors the default node config samples', () => {
    const ids = readHostConfig(manifest.config).sensors.map((s) => s.id);
    for (const channel of DEFAULT_NODE_CONFIG.channels) if (channel.sensor !== 'power') expect(ids).toContain(channel.sensor);
    expect(validateNodeConfig(DEFAULT_NODE_CONFIG)).toBeDefined();
  });

  it('takes mcconfig key=value overrides, which arrive as strings', () => {
    const c = readHostConfig({ wifi_ssid: 'home', wifi_join_ms: '20000', battery_pin: '34', battery_divider: '3', wake_pin: '4', wake_level: '1', i2c_data: '21', i2c_clock: '22', log_level: 'debug' });
    expect(c.wifi).toMatchObject({ ssid: 'home', joinTimeoutMs: 20_000 });
    expect(c.battery).toMatchObject({ pin: 34, dividerRatio: 3 });
    expect(c.wakePin).toEqual({ pin: 4, level: 1 });
    expect(c.i2c).toEqual({ data: 21, clock: 22 });
    expect(c.logLevel).toBe('debug');
  });

  it('treats -1 as "no pin", and takes the board\'s I2C pins when none are given', () => {
    const c = readHostConfig({ battery_pin: -1, wake_pin: '-1' }, { data: 8, clock: 9, port: 0 });
    expect(c.battery.pin).toBeUndefined();
    expect(c.wakePin).toBeUndefined();
    expect(c.i2c).toEqual({ data: 8, clock: 9, port: 0 });
    expect(readHostConfig({}).i2c).toBeUndefined();
  });

  it('configures a static address with its gateway', () => {
    expect(readHostConfig({ wifi_static_ip: '10.0.0.9', wifi_gateway: '10.0.0.1' }).wifi.staticIp).toEqual({ address: '10.0.0.9', netmask: '255.255.255.0', gateway: '10.0.0.1' });
    expect(() => readHostConfig({ wifi_static_ip: '10.0.0.9' })).toThrow(/wifi_gateway/);
  });

  it('refuses values it cannot use, naming the key', () => {
    expect(() => readHostConfig({ wifi_join_ms: 'soon' })).toThrow(/wifi_join_ms/);
    expect(() => readHostConfig({ battery_pin: 99 })).toThrow(/battery_pin/);
    expect(() => readHostConfig({ sensors: [{ kind: 'dht22' }] })).toThrow(/sensors\[0\].kind/);
    expect(() => readHostConfig({ sensors: {} })).toThrow(/sensors/);
    expect(() => readHostConfig({ log_level: 'loud' })).toThrow(/log_level/);
    expect(() => readHostConfig({ awake_ms: 100 })).toThrow(/awake_ms/);
  });

  it('never uses Moddable\'s "ssid" key (setup/network would block the boot on it)', () => {
    expect(Object.keys(manifest.config)).not.toContain('ssid');
    for (const section of Object.values(manifest.platforms)) expect(Object.keys(section.config ?? {})).not.toContain('ssid');
  });
});

describe('ESP32 host config: OTA settings', () => {
  it('reads trusted keys as hex (array or comma-separated), the board and the security version', () => {
    const key = 'ab'.repeat(32);
    const c = readHostConfig({ ota_keys: `${key}, ${'01'.repeat(32)}`, board: 'esp32s3', security_version: '3' });
    expect(c.otaKeys.map((k) => k.length)).toEqual([32, 32]);
    expect(c.otaKeys[0]![0]).toBe(0xab);
    expect([c.board, c.securityVersion]).toEqual(['esp32s3', 3]);
    expect(readHostConfig({ ota_keys: [key] }).otaKeys).toHaveLength(1);
    expect(readHostConfig({}).otaKeys).toEqual([]);
    expect(() => readHostConfig({ ota_keys: ['abcd'] })).toThrow(/ota_keys\[0\]/);
  });
});
