import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../sim/clock/event-queue.js';

describe('virtual clock event queue', () => {
  it('pops events in time order, ties in the order they were scheduled', () => {
    const q = new EventQueue<string>();
    q.push(30, 'c');
    q.push(10, 'a1');
    q.push(20, 'b');
    q.push(10, 'a2');
    q.push(10, 'a3');
    expect(q.size).toBe(5);
    const out: string[] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(`${e.atMs}:${e.value}`);
    expect(out).toEqual(['10:a1', '10:a2', '10:a3', '20:b', '30:c']);
    expect(q.pop()).toBeUndefined();
  });

  it('matches a stable sort of any schedule, with pushes between pops', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 200 }), (ops) => {
      const q = new EventQueue<number>();
      const model: { at: number; id: number }[] = [];
      const popped: number[] = [];
      const expected: number[] = [];
      ops.forEach(([at, pop], id) => {
        q.push(at, id);
        model.push({ at, id });
        if (pop) {
          model.sort((a, b) => a.at - b.at || a.id - b.id);
          expected.push(model.shift()!.id);
          popped.push(q.pop()!.value);
        }
      });
      return JSON.stringify(popped) === JSON.stringify(expected) && q.size === model.length;
    }));
  });

  it('popUntil takes what is due and leaves the rest', () => {
    const q = new EventQueue<number>();
    [5, 1, 9, 3, 7].forEach((t) => q.push(t, t));
    expect(q.popUntil(5).map((e) => e.value)).toEqual([1, 3, 5]);
    expect(q.peek()?.atMs).toBe(7);
    expect(q.popUntil(100, 1).map((e) => e.value)).toEqual([7]);
  });

  it('refuses a time that is not a finite number', () => {
    const q = new EventQueue<number>();
    expect(() => q.push(Number.NaN, 1)).toThrow(RangeError);
    expect(() => q.push(Number.POSITIVE_INFINITY, 1)).toThrow(/finite/);
  });
});
