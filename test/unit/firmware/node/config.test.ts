import { describe, expect, it } from 'vitest';
import { isFirmwareError } from '../../../../firmware/errors.js';
import { DEFAULT_NODE_CONFIG, validateNodeConfig, type NodeConfig } from '../../../../firmware/node/config.js';
import { DEVICE_ID_PATTERN } from '../../../../firmware/messages/checkin.js';
import { TOPIC_PREFIX_PATTERN } from '../../../../firmware/messages/provision.js';

/** A mutable deep copy of the default config to break one field at a time. */
function base(): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixture edited freely
  return JSON.parse(JSON.stringify(DEFAULT_NODE_CONFIG));
}

function pathOf(value: unknown): string {
  try {
    validateNodeConfig(value);
  } catch (error) {
    if (!isFirmwareError(error, 'ERR_CONFIG_INVALID')) throw error;
    expect(error.message.startsWith('node configuration is invalid: ')).toBe(true);
    return String(error.details?.['path']);
  }
  throw new Error('expected ERR_CONFIG_INVALID');
}

describe('validateNodeConfig', () => {
  it('accepts the default config and returns a normalised, frozen copy (idempotent)', () => {
    const checked = validateNodeConfig(base());
    expect(validateNodeConfig(JSON.parse(JSON.stringify(checked)))).toEqual(checked);
    expect(checked.deviceId).toBe(DEFAULT_NODE_CONFIG.deviceId);
    expect(checked.channels.map((c) => c.name)).toEqual(['temp', 'hum', 'press', 'bat']);
    expect(Object.isFrozen(checked)).toBe(true);
    expect(Object.isFrozen(checked.channels[0])).toBe(true);
  });

  it('DEFAULT_NODE_CONFIG has temperature, humidity, pressure from sht3x/bmp280 and the battery', () => {
    const c: NodeConfig = DEFAULT_NODE_CONFIG;
    expect(c.channels.map((ch) => [ch.sensor, ch.quantity])).toEqual([
      ['sht3x', 'temperature'], ['sht3x', 'humidity'], ['bmp280', 'pressure'], ['power', 'battery'],
    ]);
  });

  it('is a pure function: the input is not changed', () => {
    const input = base();
    const before = JSON.stringify(input);
    validateNodeConfig(input);
    expect(JSON.stringify(input)).toBe(before);
  });

  const cases: Array<[string, (c: Record<string, any>) => unknown, string]> = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['not an object', () => 42, 'config'],
    ['an array', () => [], 'config'],
    ['unknown top-level field', (c) => ({ ...c, colour: 'red' }), 'config.colour'],
    ['missing deviceId', (c) => { delete c['deviceId']; return c; }, 'deviceId'],
    ['deviceId with a slash', (c) => ({ ...c, deviceId: 'a/b' }), 'deviceId'],
    ['deviceId with a wildcard', (c) => ({ ...c, deviceId: 'a+b' }), 'deviceId'],
    ['negative version', (c) => ({ ...c, version: -1 }), 'version'],
    ['fractional version', (c) => ({ ...c, version: 1.5 }), 'version'],
    ['no channels', (c) => ({ ...c, channels: [] }), 'channels'],
    ['channels not an array', (c) => ({ ...c, channels: {} }), 'channels'],
    ['17 channels', (c) => ({ ...c, channels: Array.from({ length: 17 }, (_, i) => ({ ...c['channels'][1], name: `h${i}`, rules: [] })) }), 'channels'],
    ['unknown channel field', (c) => { c['channels'][1].colour = 1; return c; }, 'channels[1].colour'],
    ['bad quantity', (c) => { c['channels'][0].quantity = 'light'; return c; }, 'channels[0].quantity'],
    ['battery not from power', (c) => { c['channels'][3].sensor = 'sht3x'; return c; }, 'channels[3].sensor'],
    ['power for a temperature', (c) => { c['channels'][0].sensor = 'power'; return c; }, 'channels[0].sensor'],
    ['sample period too short', (c) => { c['channels'][2].samplePeriodMs = 999; return c; }, 'channels[2].samplePeriodMs'],
    ['sample period NaN', (c) => { c['channels'][2].samplePeriodMs = Number.NaN; return c; }, 'channels[2].samplePeriodMs'],
    ['missing sample period', (c) => { delete c['channels'][2].samplePeriodMs; return c; }, 'channels[2].samplePeriodMs'],
    ['bad SenML name', (c) => { c['channels'][1].name = '-hum'; return c; }, 'channels[1].name'],
    ['duplicate channel name', (c) => { c['channels'][1].name = 'temp'; return c; }, 'channels[1].name'],
    ['unknown filter', (c) => { c['channels'][0].filters = [{ type: 'kalman' }]; return c; }, 'channels[0].filters[0].type'],
    ['report and aggregate', (c) => { c['channels'][1].aggregate = { periodMs: 60_000 }; return c; }, 'channels[1]'],
    ['rule with a channel field', (c) => { c['channels'][0].rules[0].channel = 'hum'; return c; }, 'channels[0].rules[0].channel'],
    ['rule without levels', (c) => { c['channels'][0].rules = [{ id: 'x' }]; return c; }, 'channels[0].rules[0]'],
    ['duplicate rule id across channels', (c) => { c['channels'][1].rules = [{ id: 'temp_high', high: 90 }]; return c; }, 'channels[1].rules[0].id'],
    ['check-in too often', (c) => ({ ...c, checkInPeriodMs: 1000 }), 'checkInPeriodMs'],
    ['max sleep missing', (c) => { delete c['maxSleepMs']; return c; }, 'maxSleepMs'],
    ['battery policy unknown field', (c) => { c['battery'].critical = 3; return c; }, 'battery.critical'],
    ['battery stretch below 1', (c) => { c['battery'].stretch = 0.5; return c; }, 'battery.stretch'],
    ['battery lowVolts missing', (c) => { delete c['battery'].lowVolts; return c; }, 'battery.lowVolts'],
    ['alignment window beyond max sleep', (c) => ({ ...c, alignWindowMs: c['maxSleepMs'] + 1 }), 'alignWindowMs'],
    ['topic prefix with a wildcard', (c) => ({ ...c, topicPrefix: 'a/#' }), 'topicPrefix'],
    ['topic prefix with a trailing slash', (c) => ({ ...c, topicPrefix: 'a/' }), 'topicPrefix'],
    ['topic prefix empty', (c) => ({ ...c, topicPrefix: '' }), 'topicPrefix'],
    ['topic prefix with a space', (c) => ({ ...c, topicPrefix: 'a b' }), 'topicPrefix'],
    ['topic prefix of 65 characters', (c) => ({ ...c, topicPrefix: 'a'.repeat(65) }), 'topicPrefix'],
    ['base name that is not a SenML name', (c) => ({ ...c, baseName: 'urn dev' }), 'baseName'],
    ['base name empty', (c) => ({ ...c, baseName: '' }), 'baseName'],
    ['base name of 65 characters', (c) => ({ ...c, baseName: 'u'.repeat(65) }), 'baseName'],
  ];
  for (const [what, mutate, path] of cases) {
    it(`refuses ${what} at ${path}`, () => expect(pathOf(mutate(base()))).toBe(path));
  }

  it('uses the check-in and provisioning rules for device ids and topic prefixes (one rule each)', () => {
    for (const prefix of ['nodes', 'site-1/büro', 'a/b.c/d_e', 'x:y']) {
      expect(TOPIC_PREFIX_PATTERN.test(prefix)).toBe(true);
      expect(validateNodeConfig({ ...base(), topicPrefix: prefix }).topicPrefix).toBe(prefix);
    }
    for (const id of ['n1', 'mac:0024befffe804ff1', 'a.b-c_d']) {
      expect(DEVICE_ID_PATTERN.test(id)).toBe(true);
      expect(validateNodeConfig({ ...base(), deviceId: id }).deviceId).toBe(id);
    }
  });

  it('takes an optional SenML base name (absent by default: the MQTT topic names the device)', () => {
    expect(validateNodeConfig(base()).baseName).toBeUndefined();
    expect(validateNodeConfig({ ...base(), baseName: 'urn:dev:node-0001:' }).baseName).toBe('urn:dev:node-0001:');
  });

  it('accepts an aggregate channel and a channel without rules or filters', () => {
    const c = base();
    delete c['channels'][1].report;
    c['channels'][1].aggregate = { periodMs: 900_000, stats: ['mean', 'max'] };
    delete c['channels'][2].filters;
    delete c['channels'][2].rules;
    const checked = validateNodeConfig(c);
    expect(checked.channels[1]!.aggregate).toEqual({ periodMs: 900_000, stats: ['max', 'mean'] });
    expect(checked.channels[1]!.report).toBeUndefined();
    expect(checked.channels[2]!.filters).toEqual([]);
    expect(checked.channels[2]!.rules).toEqual([]);
  });
});
