import { describe, expect, it } from 'vitest';
import { createMqttLink, type MqttLinkOptions } from '../../../../firmware/mqtt/link.js';
import { deviceTopics } from '../../../../firmware/mqtt/topics.js';
import { createManualClock } from '../../../../hosts/node/clock.js';
import { createSeededRandom } from '../../../../hosts/node/random.js';
import { createNodeSocketPort } from '../../../../hosts/node/socket.js';
import { createVirtualTimer } from '../../../../hosts/node/timer.js';

// Behaviour against brokers is in test/integration/mqtt-*.test.ts; this checks the wiring.
function base(): MqttLinkOptions {
  const clock = createManualClock();
  return {
    socket: createNodeSocketPort(), timer: createVirtualTimer(clock), clock, random: createSeededRandom(1),
    brokers: [{ host: '127.0.0.1', port: 1883 }], clientId: 'd', topics: deviceTopics('p', 'd'), will: Uint8Array.of(0),
  };
}

describe('createMqttLink wiring (checked at construction, style item 7)', () => {
  it('refuses a missing port with ERR_PORT_MISSING', () => {
    for (const port of ['socket', 'timer', 'clock', 'random'] as const) {
      expect(() => createMqttLink({ ...base(), [port]: undefined } as unknown as MqttLinkOptions), port).toThrowError(expect.objectContaining({ code: 'ERR_PORT_MISSING' }));
    }
  });

  it('refuses an empty broker list, a bad port, a bad window or backoff with ERR_CONFIG_INVALID', () => {
    const bad: Array<Partial<MqttLinkOptions>> = [
      { brokers: [] }, { brokers: [{ host: 'a', port: 0 }] }, { brokers: [{ host: '', port: 1 }] }, { window: 0 },
      { backoff: { baseMs: 0, capMs: 1 } }, { reconnect: { baseMs: 10, capMs: 1 } },
    ];
    for (const b of bad) expect(() => createMqttLink({ ...base(), ...b }), JSON.stringify(b)).toThrowError(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
  });

  it('snapshot is 4 bytes [version, preferred broker, backoff version, attempt]; restore of another broker list starts at 0', () => {
    const link = createMqttLink(base());
    expect(Array.from(link.snapshot())).toEqual([1, 0, 1, 0]);
    link.restore(Uint8Array.of(1, 3, 1, 5));
    expect(link.preferredBroker()).toBe(0); // only one broker configured now
    expect(Array.from(link.snapshot())).toEqual([1, 0, 1, 5]);
    const two = createMqttLink({ ...base(), brokers: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }] });
    two.restore(Uint8Array.of(1, 1, 1, 2));
    expect(two.preferredBroker()).toBe(1);
  });

  it('a deadline already past: open() resolves false without connecting, and the backoff grows', async () => {
    const o = base();
    let connects = 0;
    const link = createMqttLink({ ...o, socket: { ...o.socket, connect: (x) => (connects++, o.socket.connect(x)) } });
    expect(await link.open({ deadlineMs: o.clock.monotonicMs(), status: Uint8Array.of(0xa0) })).toBe(false);
    expect(connects).toBe(0);
    expect(link.snapshot()[3]).toBe(1);
    await expect(link.publish('p/d/up', Uint8Array.of(1))).rejects.toMatchObject({ code: 'ERR_DEADLINE' });
    await link.close();
  });
  it('open() while a first open() is still connecting rejects with ERR_ARGUMENT (a caller bug, not a config error)', async () => {
    const o = base();
    let fail: ((error: Error) => void) | undefined;
    const resolving = new Promise<string>((_resolve, reject) => { fail = reject; });
    const link = createMqttLink({ ...o, socket: { ...o.socket, resolve: () => resolving } });
    const first = link.open({ deadlineMs: o.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) });
    await expect(link.open({ deadlineMs: o.clock.monotonicMs() + 10_000, status: Uint8Array.of(0xa0) })).rejects.toMatchObject({ code: 'ERR_ARGUMENT' });
    fail!(Object.assign(new Error('no such host'), { code: 'ERR_DNS' }));
    expect(await first).toBe(false);
    await link.close();
  });
});
