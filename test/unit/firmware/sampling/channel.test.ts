import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../../../../firmware/codec/cbor.js';
import { Channel, parseChannelSpec, type ChannelSpec, type Reading } from '../../../../firmware/sampling/channel.js';
import { standardReportPolicy } from '../../../../firmware/sampling/policy/registry.js';
import { channelSpecArb, traceArb, type TraceStep } from './arbitraries.js';
import { expectCode } from './trace.js';

const T0 = Date.UTC(2025, 0, 1); // on every period's grid

const temperature: ChannelSpec = {
  name: 'temperature',
  filters: [
    { type: 'linear', slope: 1, offset: -0.5 }, // sensor reads 0.5 C high
    { type: 'clamp', min: -40, max: 84, mode: 'drop' },
    { type: 'median', window: 3 },
  ],
  report: standardReportPolicy({ abs: 0.5, minIntervalMs: 60_000, maxSilenceMs: 600_000 }),
};

function run(channel: Channel, rows: readonly (readonly [number, number])[]): (Reading[] | number | undefined)[] {
  return rows.map(([dt, raw]) => {
    const step = channel.push(raw, T0 + dt);
    return step.readings.length > 0 ? step.readings.slice() : step.value;
  });
}

describe('Channel', () => {
  it('filters, then reports by policy, with kind report or heartbeat', () => {
    // t(s)  raw    -0.5    clamp    median3            policy (band 0.5, min 60 s, heartbeat 600 s)
    // 0     21.5   21      21       [21] 21            first -> report 21
    // 60    22     21.5    21.5     [21,21.5] 21.25    0.25: no
    // 120   85.5   85      drop     -                  (chain ends: value undefined)
    // 180   22.5   22      22       [21,21.5,22] 21.5  0.5: not beyond: no
    // 240   23     22.5    22.5     [21.5,22,22.5] 22  1 > 0.5, 240 s since -> report 22
    // 270   25     24.5    24.5     [22,22.5,24.5] 22.5  0.5: no
    // 840   22.5   22      22       [22.5,24.5,22] 22.5  heartbeat due (240 + 600 = 840) -> heartbeat 22.5
    const ch = new Channel(temperature);
    const r = (value: number, s: number, kind: Reading['kind']): Reading[] => [{ name: 'temperature', value, timeMs: T0 + s * 1000, kind }];
    expect(
      run(ch, [
        [0, 21.5],
        [60_000, 22],
        [120_000, 85.5],
        [180_000, 22.5],
        [240_000, 23],
        [270_000, 25],
        [840_000, 22.5],
      ]),
    ).toEqual([r(21, 0, 'report'), 21.25, undefined, 21.5, r(22, 240, 'report'), 22.5, r(22.5, 840, 'heartbeat')]);
    expect(ch.nextDueMs()).toBe(T0 + 1_440_000);
    expect(ch.due()).toEqual({ dueMs: T0 + 1_440_000, periodMs: 600_000 });
  });

  it('non-finite samples end the chain and touch no state', () => {
    const ch = new Channel({ name: 'h', filters: [{ type: 'mean', window: 4 }] });
    ch.push(50, T0);
    const before = ch.snapshot();
    expect(ch.push(NaN, T0 + 1)).toEqual({ value: undefined, readings: [] });
    expect(ch.push(Infinity, T0 + 2)).toEqual({ value: undefined, readings: [] });
    expect(ch.snapshot()).toEqual(before);
    // a filter overflowing to Infinity drops the sample too
    const big = new Channel({ name: 'b', filters: [{ type: 'linear', slope: 1e300 }] });
    expect(big.push(1e10, T0).value).toBeUndefined();
  });

  it('an aggregate channel emits one reading per statistic when its window closes', () => {
    const ch = new Channel({ name: 'pressure', aggregate: { periodMs: 60_000, stats: ['min', 'mean', 'count'] } });
    expect(ch.push(1000, T0 + 1000).readings).toEqual([]);
    expect(ch.push(1004, T0 + 30_000).readings).toEqual([]);
    expect(ch.nextDueMs()).toBe(T0 + 60_000);
    expect(ch.poll(T0 + 59_999)).toEqual([]);
    expect(ch.poll(T0 + 60_000)).toEqual([
      { name: 'pressure_min', value: 1000, timeMs: T0, kind: 'aggregate', stat: 'min' },
      { name: 'pressure_mean', value: 1002, timeMs: T0, kind: 'aggregate', stat: 'mean' },
      { name: 'pressure_count', value: 2, timeMs: T0, kind: 'aggregate', stat: 'count' },
    ]);
    expect(ch.due()).toBeUndefined();
    ch.push(990, T0 + 61_000);
    expect(ch.due()).toEqual({ dueMs: T0 + 120_000, periodMs: 60_000 });
  });

  it('default policy reports every value', () => {
    const ch = new Channel({ name: 'v' });
    expect(ch.push(3.3, T0).readings).toHaveLength(1);
    expect(ch.push(3.3, T0 + 1).readings).toHaveLength(1);
    expect(ch.nextDueMs()).toBeUndefined();
  });

  it('refuses bad specs with the path', () => {
    expectCode(() => parseChannelSpec({ name: 'bad name', report: { type: 'always' } }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseChannelSpec({ name: '_x' }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseChannelSpec({ name: 'x', report: { type: 'always' }, aggregate: { periodMs: 60_000 } }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseChannelSpec({ name: 'x', period: 5 }), 'ERR_CONFIG_INVALID');
    expect(() => new Channel({ name: 'x', filters: [{ type: 'median', window: 0 }] } as never)).toThrow(/channel\.filters\[0\]\.window/);
  });

  it('snapshot is compact CBOR', () => {
    const ch = new Channel(temperature);
    run(ch, [[0, 21.5], [60_000, 22.25], [120_000, 22]]);
    const bytes = ch.snapshot();
    // [1, fp, [[], [], [0, 21, 21.75, 21.5]], [T, [[[21], [T]], [T]]]]: times dominate (9 bytes each)
    expect(bytes.length).toBeLessThanOrEqual(64);
    const fresh = new Channel(temperature);
    fresh.restore(bytes);
    expect(fresh.snapshot()).toEqual(bytes);
  });

  it('refuses state saved under another configuration or malformed, and keeps its own', () => {
    const ch = new Channel(temperature);
    run(ch, [[0, 21.5], [60_000, 22.25]]);
    const saved = ch.snapshot();
    const other = new Channel({ ...temperature, filters: [{ type: 'median', window: 5 }, { type: 'clamp', min: -40 }, { type: 'linear' }] });
    expectCode(() => other.restore(saved), 'ERR_STATE_CORRUPT');
    const renamed = new Channel({ ...temperature, name: 'temp2' });
    renamed.restore(saved); // the name is not part of the fingerprint

    const target = new Channel(temperature);
    run(target, [[0, 30]]);
    const before = target.snapshot();
    expectCode(() => target.restore(saved.subarray(0, saved.length - 1)), 'ERR_STATE_CORRUPT');
    expectCode(() => target.restore(new Uint8Array([0xff])), 'ERR_STATE_CORRUPT');
    expectCode(() => target.restore(encode({ a: 1 })), 'ERR_STATE_CORRUPT');
    const state = target.state() as [number, number, number[][], unknown[]];
    expectCode(() => target.restoreState([2, ...state.slice(1)]), 'ERR_STATE_CORRUPT');
    // a good filter state followed by a bad policy state: filters must roll back
    const mixed = [state[0], state[1], [[], [], [0, 1, 2, 3]], [T0, [[['x'], [T0]], [T0]]]];
    expectCode(() => target.restoreState(mixed), 'ERR_STATE_CORRUPT');
    expect(target.snapshot()).toEqual(before);
  });
});

/** Runs a trace, optionally sleeping (snapshot -> new channel -> restore) where the trace says. */
function runTrace(spec: ChannelSpec, trace: readonly TraceStep[], sleeps: boolean): unknown[] {
  let ch = new Channel(spec);
  let now = T0 + 12_345;
  const out: unknown[] = [];
  for (const step of trace) {
    if (sleeps && step.sleepBefore) {
      const bytes = ch.snapshot();
      ch = new Channel(spec);
      ch.restore(bytes);
    }
    now += step.dtMs;
    if (step.poll) out.push(['poll', ch.poll(now)]);
    out.push(['push', ch.push(step.value, now)], ['due', ch.due()]);
  }
  return out;
}

describe('Channel restored from deep sleep', () => {
  it('behaves exactly like one that never slept (random chains, traces and sleep points)', () => {
    fc.assert(
      fc.property(channelSpecArb, traceArb, (spec, trace) => {
        expect(runTrace(spec, trace, true)).toEqual(runTrace(spec, trace, false));
      }),
      { numRuns: 300 },
    );
  });
});
