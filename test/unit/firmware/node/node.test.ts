import { describe, expect, it } from 'vitest';
import { isFirmwareError } from '../../../../firmware/errors.js';
import { encode } from '../../../../firmware/codec/cbor.js';
import { DEFAULT_NODE_CONFIG } from '../../../../firmware/node/config.js';
import { createNode, KV_CONFIG, type CreateNodeOptions } from '../../../../firmware/node/node.js';
import { fakeUplink, makeFixture } from './fixture.js';

function failure(options: unknown): { code: string | undefined; message: string } {
  try {
    createNode(options as CreateNodeOptions);
  } catch (error) {
    return { code: isFirmwareError(error) ? error.code : undefined, message: (error as Error).message };
  }
  throw new Error('createNode accepted it');
}

describe('createNode checks every port at wiring time (ERR_PORT_MISSING naming it)', () => {
  for (const port of ['clock', 'retained', 'kv', 'power', 'log', 'random'] as const) {
    it(`refuses a missing ${port}`, () => {
      const wiring: Record<string, unknown> = { ...makeFixture().wiring() };
      delete wiring[port];
      const f = failure(wiring);
      expect(f.code).toBe('ERR_PORT_MISSING');
      expect(f.message).toContain(port);
    });
  }

  it('refuses an incomplete port and names the member', () => {
    const wiring = makeFixture().wiring();
    const f = failure({ ...wiring, power: { ...wiring.power, deepSleep: undefined } });
    expect(f).toEqual({ code: 'ERR_PORT_MISSING', message: expect.stringContaining('power.deepSleep') });
    expect(failure({ ...wiring, retained: { load: () => undefined, save: () => undefined } }).message).toContain('retained.capacity');
  });

  it('checks optional ports when given: uplink, update, timer', () => {
    const wiring = makeFixture().wiring();
    const { openWindow: _o, ...noWindow } = fakeUplink();
    expect(failure({ ...wiring, uplink: noWindow }).message).toContain('uplink.openWindow');
    expect(failure({ ...wiring, update: { onBoot: () => undefined } }).message).toContain('update.');
    expect(failure({ ...wiring, timer: { set: () => ({ id: 1 }) } }).message).toContain('timer.clear');
  });

  it('refuses sensors that are not an array, duplicated, or reserved', () => {
    const wiring = makeFixture().wiring();
    expect(failure({ ...wiring, sensors: undefined }).message).toContain('sensors');
    expect(failure({ ...wiring, sensors: [wiring.sensors[0], wiring.sensors[0]] }).message).toContain('sensors[1].id');
    expect(failure({ ...wiring, sensors: [{ id: 'power', sample: () => ({}) }] }).message).toContain('reserved');
    expect(failure({ ...wiring, sensors: [{ id: 'x' }] }).message).toContain('sensors[0].sample');
  });

  it('refuses a config naming a sensor that is not wired', () => {
    const wiring = makeFixture().wiring();
    const f = failure({ ...wiring, sensors: [wiring.sensors[0]] });
    expect(f.code).toBe('ERR_PORT_MISSING');
    expect(f.message).toContain('bmp280');
    expect(f.message).toContain('channels[2].sensor');
  });

  it('refuses an invalid config with ERR_CONFIG_INVALID', () => {
    const f = failure({ ...makeFixture().wiring(), config: { ...DEFAULT_NODE_CONFIG, maxSleepMs: -1 } });
    expect(f.code).toBe('ERR_CONFIG_INVALID');
    expect(f.message).toContain('maxSleepMs');
  });

  it('takes a valid remote config from kv over the build config; ignores an invalid one (logged)', () => {
    const fx = makeFixture();
    fx.kv.set(KV_CONFIG, encode({ ...DEFAULT_NODE_CONFIG, version: 7 }));
    const node = createNode(fx.wiring());
    expect(node.config.version).toBe(7);
    expect(node.configSource).toBe('kv');
    fx.kv.set(KV_CONFIG, Uint8Array.of(0xff));
    const fallback = createNode(fx.wiring());
    expect(fallback.configSource).toBe('build');
    expect(fx.log.codes()).toContain('CONFIG_STORED_INVALID');
  });

  it('sends no SenML base name by default (the MQTT topic names the device), config.baseName when given', () => {
    expect(makeFixture().node.baseName).toBe('');
    expect(makeFixture({ config: { ...DEFAULT_NODE_CONFIG, baseName: 'urn:dev:node-0001:' } }).node.baseName).toBe('urn:dev:node-0001:');
  });
});
