import { describe, expect, it } from 'vitest';
import { InflightTable, PacketIds } from '../../../../firmware/mqtt/inflight.js';

describe('packet identifiers', () => {
  it('MQTT-2.3.1-1: never 0; MQTT-2.3.1-2: never one still in use, also across the 65535 wrap', () => {
    const ids = new PacketIds();
    const held = new Set<number>();
    const violations: number[] = [];
    for (let i = 0; i < 70000; i++) {
      const id = ids.allocate();
      // One expect per id would dominate the run time: collect violations, assert once.
      if (!(id > 0 && id <= 65535) || held.has(id)) violations.push(id);
      held.add(id);
      // Keep every 1000th id in use for ever; release the rest.
      if (id % 1000 !== 0) {
        ids.release(id);
        held.delete(id);
      }
    }
    expect(violations).toEqual([]);
    expect(held.size).toBe(65);
  });

  it('refuses to allocate when all 65535 are in use', () => {
    const ids = new PacketIds();
    for (let i = 0; i < 65535; i++) ids.allocate();
    expect(() => ids.allocate()).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_INFLIGHT_FULL' }));
  });
});

describe('in-flight table', () => {
  it('bounds the window: the message past it is refused with ERR_MQTT_INFLIGHT_FULL', () => {
    const t = new InflightTable(2);
    t.add('a', new Uint8Array(1), false);
    t.add('a', new Uint8Array(1), false);
    expect(() => t.add('a', new Uint8Array(1), false)).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_INFLIGHT_FULL' }));
    // One internal message (the birth) may go over by one, never more.
    t.add('s', new Uint8Array(1), true, true);
    expect(() => t.add('s', new Uint8Array(1), true, true)).toThrowError(expect.objectContaining({ code: 'ERR_MQTT_INFLIGHT_FULL' }));
  });

  it('MQTT-4.6.0-1: keeps original order; PUBACK settles and frees the slot and id', async () => {
    const t = new InflightTable(3);
    const a = t.add('a', Uint8Array.of(1), false);
    const b = t.add('b', Uint8Array.of(2), false);
    const c = t.add('c', Uint8Array.of(3), false);
    expect(t.messages().map((m) => m.topic)).toEqual(['a', 'b', 'c']);
    expect(t.acknowledge(b.message.packetId)).toBe(true);
    await b.done;
    expect(t.acknowledge(b.message.packetId)).toBe(false);
    expect(t.ids.inUse(b.message.packetId)).toBe(false);
    expect(t.messages().map((m) => m.topic)).toEqual(['a', 'c']);
    const error = new Error('gone');
    t.rejectAll(error);
    await expect(a.done).rejects.toBe(error);
    await expect(c.done).rejects.toBe(error);
    expect(t.size).toBe(0);
  });

  it('refuses a window outside 1..65535', () => {
    for (const w of [0, -1, 1.5, 65536]) expect(() => new InflightTable(w)).toThrowError(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
  });
});
