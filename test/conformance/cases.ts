/**
 * Conformance cases: the same code runs on Node (conformance.test.ts) and inside XS (bundled
 * into hosts/xs/entries/conformance.ts), and every case's result is CBOR-encoded so the two
 * engines can be compared byte for byte. Engine-neutral on purpose: no Node APIs, no libm
 * (Math.sin/cos/exp may differ in the last bit between engines; the inputs here are plain
 * arithmetic), randomness from a seeded generator. A case that throws yields {error: code}.
 */
import { decode, encode, Simple, Tagged } from '../../firmware/codec/cbor.js';
import { KeyCache } from '../../firmware/codec/key-cache.js';
import { fromHex } from '../../firmware/codec/bytes.js';
import { buildPack, resolvePack, type Reading as SenmlReading } from '../../firmware/codec/senml.js';
import { createFilter, type FilterSpec } from '../../firmware/sampling/filters/registry.js';
import { createReportPolicy } from '../../firmware/sampling/policy/registry.js';
import { WindowAggregate } from '../../firmware/sampling/aggregate.js';
import { Channel } from '../../firmware/sampling/channel.js';
import { ThresholdRule } from '../../firmware/rules/threshold.js';
import { planWake, type PlannerInput } from '../../firmware/planner/planner.js';
import { validateNodeConfig, DEFAULT_NODE_CONFIG } from '../../firmware/node/config.js';
import { runWakeCycle } from '../../firmware/node/wake-cycle.js';
import { createSeededRandom, type SeededRandom } from '../../hosts/node/random.js';
import { benchNode } from '../../hosts/xs/entries/core.js';
import vectors from '../vectors/rfc8949-appendix-a.json';

export type CaseResult = [id: string, bytes: Uint8Array];
type Case = [id: string, run: () => unknown];

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : `uncoded ${(error as Error)?.constructor?.name ?? typeof error}`;
}

function runCases(cases: readonly Case[]): CaseResult[] {
  return cases.map(([id, run]) => {
    let result: unknown;
    try {
      result = { ok: run() };
    } catch (error) {
      result = { error: codeOf(error) };
    }
    let bytes: Uint8Array;
    try {
      bytes = encode(result);
    } catch (error) {
      bytes = encode({ unencodable: codeOf(error) });
    }
    return [id, bytes];
  });
}

// ---- random values -------------------------------------------------------------------------

function int(r: SeededRandom, n: number): number {
  return Math.floor(r.next() * n);
}

function randomDouble(r: SeededRandom): number {
  const view = new DataView(new ArrayBuffer(8));
  switch (int(r, 4)) {
    case 0: // any bit pattern (NaNs, infinities, subnormals included)
      view.setUint32(0, int(r, 0x100000000));
      view.setUint32(4, int(r, 0x100000000));
      return view.getFloat64(0);
    case 1: // halves and quarters: the binary16 range
      return (int(r, 2000) - 1000) / 4;
    case 2: // exactly float32
      view.setUint32(0, int(r, 0x100000000));
      return view.getFloat32(0);
    default: // decimals as sensors give them
      return (int(r, 2_000_000) - 1_000_000) / 1000;
  }
}

function randomString(r: SeededRandom, allowLoneSurrogate: boolean): string {
  const n = int(r, 8);
  let s = '';
  for (let i = 0; i < n; i++) {
    switch (int(r, 5)) {
      case 0: s += String.fromCharCode(0x20 + int(r, 0x5f)); break;
      case 1: s += String.fromCharCode(0xa0 + int(r, 0x700)); break;
      case 2: s += String.fromCharCode(0x3000 + int(r, 0x5000)); break;
      case 3: s += String.fromCodePoint(0x10000 + int(r, 0xfffff)); break;
      default: s += allowLoneSurrogate && int(r, 10) === 0 ? String.fromCharCode(0xd800 + int(r, 0x800)) : 'x';
    }
  }
  return s;
}

function randomValue(r: SeededRandom, depth: number): unknown {
  const kind = int(r, depth > 2 ? 10 : 14);
  switch (kind) {
    case 0: return int(r, 24);
    case 1: return int(r, 0x100000000) * (int(r, 2) === 0 ? 1 : -1);
    case 2: return int(r, 0x100000000) * 0x200000 + int(r, 0x200000); // up to 2^53
    case 3: return (BigInt(int(r, 0x100000000)) << 32n | BigInt(int(r, 0x100000000))) * (int(r, 2) === 0 ? 1n : -1n) * (int(r, 3) === 0 ? 1n << 40n : 1n);
    case 4: return randomDouble(r);
    case 5: return randomString(r, true);
    case 6: return Uint8Array.from({ length: int(r, 10) }, () => int(r, 256));
    case 7: return [true, false, null, undefined][int(r, 4)];
    case 8: return new Simple(int(r, 2) === 0 ? int(r, 20) : 32 + int(r, 224));
    case 9: return -0;
    case 10: return Array.from({ length: int(r, 5) }, () => randomValue(r, depth + 1));
    case 11: {
      const obj: Record<string, unknown> = {};
      for (let i = int(r, 5); i > 0; i--) obj[randomString(r, false)] = randomValue(r, depth + 1);
      return obj;
    }
    case 12: {
      const map = new Map<unknown, unknown>();
      for (let i = int(r, 4); i > 0; i--) map.set(int(r, 3) === 0 ? randomString(r, false) : int(r, 1000) - 500, randomValue(r, depth + 1));
      return map;
    }
    default: return new Tagged(int(r, 3) === 0 ? int(r, 0x10000) : int(r, 24), randomValue(r, depth + 1));
  }
}

// ---- groups --------------------------------------------------------------------------------

function cborEncodeCases(): Case[] {
  const fixed: unknown[] = [
    0, 1, 23, 24, 255, 256, 65535, 65536, 4294967295, 4294967296, Number.MAX_SAFE_INTEGER, -1, -24, -25, -256, -257, -4294967296,
    2n ** 64n - 1n, -(2n ** 64n), 2n ** 64n, -(2n ** 64n) - 1n, 2n ** 100n, 0.5, -0, 1.1, 1.5, 65504, 65505, 100000, 3.4028234663852886e38,
    5.960464477539063e-8, 1e-300, 1e300, Infinity, -Infinity, NaN, 21.5, 45.2, 1013.25, '', 'a', 'IETF', '"\\', 'ü', '水', '𐅑', 'température °C',
    new Uint8Array(0), Uint8Array.of(1, 2, 3, 4), [], [1, [2, 3], [4, 5]], Array.from({ length: 25 }, (_, i) => i + 1), {}, { a: 1, b: [2, 3] },
    { z: 1, a: 2, aa: 3, b: 4 }, new Map<unknown, unknown>([[10, 1], [-1, 2], ['z', 3], [100, 4], [[100], 5], [false, 6]]),
    new Tagged(1, 1363896240), new Tagged(32, 'http://www.example.com'), new Tagged(4, [-2, 27315]), new Simple(16), new Simple(255),
    true, false, null, undefined, String.fromCharCode(0xd800), () => 1, Symbol('x'), new Map([[1, 1], [1.0, 2]]),
  ];
  const cases: Case[] = fixed.map((v, i) => [`encode/fixed/${i}`, () => encode(v)]);
  const r = createSeededRandom(0xc0de);
  for (let i = 0; i < 400; i++) {
    const v = randomValue(r, 0);
    cases.push([`encode/random/${i}`, () => encode(v)]);
  }
  return cases;
}

const MALFORMED = [
  '1c', '5d', 'fe', '1f', '3f', 'df', 'ff', '81ff', 'a1ff', 'bf00ff', 'f800', 'f818', '5f00ff', '5f5f4100ffff', '1901', 'a1', '6261', '0000',
  '62c0ae', 'a20000 0000'.replace(' ', ''), 'a2616101616102', '7f61ff', '9f', 'bf', 'c2', 'd8', 'fb3ff1', '7a ffffffff'.replace(' ', ''),
  '9b0000000100000000', '5b7fffffffffffffff', '8181818181818181818181818181818181818181818181818181818181818181818100',
];

function cborDecodeCases(): Case[] {
  const cases: Case[] = [];
  const roundTrip = (hex: string) => (): unknown => {
    const value = decode(fromHex(hex));
    return [encode(value), value instanceof Uint8Array ? 'bytes' : typeof value];
  };
  (vectors as { vectors: { hex: string }[] }).vectors.forEach((v, i) => cases.push([`decode/rfc8949-a/${i}`, roundTrip(v.hex)]));
  MALFORMED.forEach((hex, i) => cases.push([`decode/malformed/${i}`, roundTrip(hex)]));
  const r = createSeededRandom(0xdec0de);
  for (let i = 0; i < 300; i++) {
    const bytes = Uint8Array.from({ length: int(r, 24) }, () => int(r, 256));
    cases.push([`decode/random/${i}`, () => encode(decode(bytes))]);
  }
  const mutatedInputs: Uint8Array[] = [];
  for (let i = 0; i < 300; i++) {
    let valid: Uint8Array;
    try {
      valid = encode(randomValue(r, 0));
    } catch {
      valid = Uint8Array.of(0x83, 1, 2, 3);
    }
    const b = Array.from(valid);
    const at = int(r, b.length + 1);
    switch (int(r, 4)) {
      case 0: if (b.length) b[at % b.length] ^= 1 << int(r, 8); break;
      case 1: b.splice(at, 0, int(r, 256)); break;
      case 2: b.length = at; break;
      default: b.splice(at, 1 + int(r, 3));
    }
    const mutated = new Uint8Array(b);
    cases.push([`decode/mutated/${i}`, () => encode(decode(mutated))]);
    mutatedInputs.push(valid, mutated);
  }
  // The same valid and mutated inputs through one KeyCache, as the server decodes check-ins.
  const keys = new KeyCache();
  mutatedInputs.forEach((bytes, i) => cases.push([`decode/key-cache/${i}`, () => encode(decode(bytes, undefined, keys))]));
  return cases;
}

const T0 = 1_735_689_600_000;

function senmlCases(): Case[] {
  const packs: [string, SenmlReading[], { baseName?: string; decimals?: number }][] = [
    ['three', [
      { name: 'temp', unit: 'Cel', value: 21.5, timeMs: T0, seq: 0 },
      { name: 'hum', unit: '%RH', value: 45.2, timeMs: T0, seq: 1 },
      { name: 'press', unit: 'Pa', value: 101325, timeMs: T0, seq: 2 },
    ], { baseName: 'urn:dev:node-0001:', decimals: 1 }],
    ['times', [
      { name: 't', value: 1.23456, timeMs: T0 + 123, seq: 70000 },
      { name: 't', value: -0.001, timeMs: T0 + 60_250, seq: 70001 },
      { name: 'alarm', value: true, timeMs: T0 + 61_000, seq: 70002 },
      { name: 'note', value: 'hot', timeMs: T0 + 61_000, seq: 70003 },
      { name: 'raw', value: Uint8Array.of(1, 2), timeMs: T0, seq: 70004 },
    ], { baseName: 'urn:dev:x:' }],
    ['decimals', [21.25, 21.3, 0.1, 99.99, 1e-7, 123456.789].map((v, i) => ({ name: `v${i}`, unit: 'V', value: v, timeMs: T0, seq: i })), { decimals: 2 }],
    ['bad-unit', [{ name: 'x', unit: 'hPa', value: 1, timeMs: T0, seq: 0 }], {}],
    ['bad-time', [{ name: 'x', value: 1, timeMs: 1000, seq: 0 }], {}],
    ['bad-name', [{ name: ' x', value: 1, timeMs: T0, seq: 0 }], {}],
    ['empty', [], {}],
  ];
  const cases: Case[] = [];
  for (const [name, readings, options] of packs) {
    cases.push([`senml/build/${name}`, () => buildPack(readings, options)]);
    cases.push([`senml/resolve/${name}`, () => resolvePack(buildPack(readings, options))]);
  }
  const raw = ['80', 'a0', '81a0', '81a10063616263', '81a2006161f5', '81a30061610201216161', '81a3006161020122f97e00', '81a200616102f97c00',
    '81a2206bf5f5', '81a200616b6665617475726503', '81a3006161025f', '81a2200b00616106', '81a2006161020182a2006161020ba2200a006162', '81a26474657374f500616102'];
  raw.forEach((hex, i) => cases.push([`senml/resolve-raw/${i}`, () => resolvePack(fromHex(hex), { nowSeconds: 1_700_000_000 })]));
  return cases;
}

/** A deterministic trace of values and times. */
function trace(seed: number, n: number): [value: number, timeMs: number][] {
  const r = createSeededRandom(seed);
  const out: [number, number][] = [];
  let t = T0;
  let v = 20;
  for (let i = 0; i < n; i++) {
    t += 30_000 + int(r, 600_000);
    v += (int(r, 2001) - 1000) / 1000;
    out.push([int(r, 40) === 0 ? NaN : v, t]);
  }
  return out;
}

function filterCases(): Case[] {
  const specs: FilterSpec[] = [
    { type: 'linear', slope: 1.02, offset: -0.4 }, { type: 'linear', points: [[0, 0.5], [100, 99.1]] },
    { type: 'clamp', min: 19, max: 22 }, { type: 'clamp', min: 19, max: 22, mode: 'drop' } as FilterSpec,
    { type: 'median', window: 5 }, { type: 'median', window: 4, every: 2 }, { type: 'mean', window: 3 }, { type: 'mean', window: 6, every: 3 },
    { type: 'ema', alpha: 0.3 }, { type: 'ema', alpha: 0.1, every: 4 },
  ];
  const cases: Case[] = [];
  specs.forEach((spec, k) => {
    for (const seed of [1, 2, 3]) {
      cases.push([`filter/${spec.type}/${k}/${seed}`, () => {
        const f = createFilter(spec);
        const out: unknown[] = [];
        for (const [v, t] of trace(seed * 31 + k, 60)) {
          if (Number.isNaN(v)) continue;
          out.push(f.push(v, t) ?? null);
          // Snapshot and restore into a fresh filter mid-trace: the state must carry everything.
          const again = createFilter(spec);
          again.restore(f.snapshot());
          out.push(again.snapshot());
        }
        return out;
      }]);
    }
  });
  return cases;
}

function policyCases(): Case[] {
  const specs: unknown[] = [
    { type: 'always' }, { type: 'deadband', abs: 0.5 }, { type: 'deadband', rel: 0.02 }, { type: 'throttle', minIntervalMs: 600_000 },
    { type: 'heartbeat', maxSilenceMs: 1_800_000 },
    { type: 'anyOf', of: [{ type: 'allOf', of: [{ type: 'deadband', abs: 0.3 }, { type: 'throttle', minIntervalMs: 300_000 }] }, { type: 'heartbeat', maxSilenceMs: 3_600_000 }] },
    { type: 'allOf', of: [{ type: 'deadband', rel: 0.01 }, { type: 'heartbeat', maxSilenceMs: 900_000 }] },
  ];
  const cases: Case[] = [];
  specs.forEach((spec, k) => {
    for (const seed of [4, 5]) {
      cases.push([`policy/${k}/${seed}`, () => {
        const p = createReportPolicy(spec);
        const out: unknown[] = [];
        for (const [v, t] of trace(seed * 17 + k, 80)) {
          if (Number.isNaN(v)) continue;
          const yes = p.decide(v, t);
          if (yes) p.reported(v, t);
          out.push([yes, p.nextDueMs() ?? null, p.snapshot()]);
        }
        return out;
      }]);
    }
  });
  return cases;
}

function aggregateAndChannelCases(): Case[] {
  const cases: Case[] = [];
  for (const [k, spec] of [{ periodMs: 900_000 }, { periodMs: 3_600_000, stats: ['mean', 'count'] }].entries()) {
    cases.push([`aggregate/${k}`, () => {
      const a = new WindowAggregate(spec as { periodMs: number });
      const out: unknown[] = [];
      for (const [v, t] of trace(40 + k, 100)) {
        if (!Number.isNaN(v)) out.push(a.push(v, t) ?? null);
        out.push(a.close(t + 120_000) ?? null, a.nextDueMs() ?? null, a.snapshot());
      }
      return out;
    }]);
  }
  const channels: unknown[] = [
    { name: 'temp', filters: [{ type: 'median', window: 3 }], report: { type: 'anyOf', of: [{ type: 'deadband', abs: 0.3 }, { type: 'heartbeat', maxSilenceMs: 3_600_000 }] } },
    { name: 'hum', filters: [{ type: 'ema', alpha: 0.5 }, { type: 'clamp', min: 0, max: 100 }], aggregate: { periodMs: 1_800_000, stats: ['min', 'max', 'mean'] } },
  ];
  channels.forEach((spec, k) => {
    cases.push([`channel/${k}`, () => {
      const c = new Channel(spec as never);
      const out: unknown[] = [];
      for (const [v, t] of trace(50 + k, 100)) {
        const step = c.push(v, t);
        out.push(step.value ?? null, step.readings.map((r) => [r.name, r.value, r.timeMs, r.kind]), c.poll(t).length, c.due() ?? null, c.state());
        const again = new Channel(spec as never);
        again.restore(c.snapshot());
        out.push(again.snapshot());
      }
      return out;
    }]);
  });
  return cases;
}

function ruleCases(): Case[] {
  const specs = [
    { id: 'hi', channel: 'temp', high: 21, hysteresis: 0.5, debounce: 2 },
    { id: 'lo', channel: 'temp', low: 19.5, hysteresis: 0.2, debounce: 1 },
    { id: 'band', channel: 'temp', high: 22, low: 18, hysteresis: 1, debounce: 3 },
  ];
  const cases: Case[] = [];
  specs.forEach((spec, k) => {
    cases.push([`rule/${spec.id}`, () => {
      const rule = new ThresholdRule(spec);
      const out: unknown[] = [];
      for (const [v, t] of trace(60 + k, 150)) out.push(rule.step(v, t).events.map((e) => [e.kind, e.level, e.value, e.timeMs]), rule.snapshot());
      return out;
    }]);
  });
  cases.push(['rule/bad-spec', () => new ThresholdRule({ id: 'x', channel: 'temp', high: 1, low: 2 })]);
  return cases;
}

function plannerCases(): Case[] {
  const r = createSeededRandom(0x91a);
  const cases: Case[] = [];
  for (let i = 0; i < 60; i++) {
    const now = T0 + int(r, 86_400_000);
    const input: PlannerInput = {
      nowMs: now,
      samples: Array.from({ length: 1 + int(r, 4) }, (_, k) => ({ channel: `c${k}`, dueMs: now - 60_000 + int(r, 7_200_000), periodMs: 60_000 * (1 + int(r, 30)) })),
      reports: int(r, 2) === 0 ? [] : [{ channel: 'c0', dueMs: now + int(r, 3_600_000), periodMs: 3_600_000, kind: int(r, 2) === 0 ? 'heartbeat' : 'aggregate' }],
      checkIn: { periodMs: 21_600_000, lastMs: now - int(r, 30_000_000) },
      ...(int(r, 3) === 0 ? { retryAtMs: now + int(r, 600_000) } : {}),
      alarmPending: int(r, 8) === 0,
      batteryVolts: 3.2 + int(r, 10) / 10,
      config: { maxSleepMs: 3_600_000, alignMs: int(r, 3) * 30_000, lowBatteryVolts: 3.5, stretch: 1 + int(r, 4) },
    };
    cases.push([`planner/${i}`, () => planWake(input)]);
  }
  cases.push(['planner/bad-config', () => planWake({ nowMs: T0, samples: [], config: { maxSleepMs: 10 } })]);
  return cases;
}

function configCases(): Case[] {
  const base = JSON.parse(JSON.stringify(DEFAULT_NODE_CONFIG)) as Record<string, unknown>;
  const variants: unknown[] = [base, { ...base, version: -1 }, { ...base, channels: [] }, { ...base, topicPrefix: 'a/#' }, 'nope', { ...base, extra: 1 }];
  return variants.map((v, i) => [`config/${i}`, () => validateNodeConfig(v)] as Case);
}

/** The bench node (hosts/xs/entries/core.ts) through 40 wake cycles: packs, plans, retained records. */
async function wakeCycleCases(): Promise<CaseResult[]> {
  const { node } = benchNode(['temp', 'hum', 'press']);
  const cases: Case[] = [];
  for (let i = 0; i < 40; i++) {
    const r = await runWakeCycle(node);
    const record = node.ports.retained.load() ?? null;
    const summary = [r.cycle, r.nowMs, r.sampled.map((s) => [s.channel, s.raw ?? null, s.value ?? null]), r.readings.map((x) => [x.name, x.value, x.timeMs, x.kind]),
      r.alarms.map((a) => [a.ruleId, a.kind, a.value]), r.report?.pack ?? null, r.window.reasons, r.next.atMs, r.next.reasons, r.next.tasks.map((t) => [t.kind, t.channel ?? null, t.dueMs]), record];
    cases.push([`wake-cycle/${i}`, () => summary]);
  }
  return runCases(cases);
}

export const GROUPS: Readonly<Record<string, () => CaseResult[] | Promise<CaseResult[]>>> = Object.freeze({
  'cbor-encode': () => runCases(cborEncodeCases()),
  'cbor-decode': () => runCases(cborDecodeCases()),
  senml: () => runCases(senmlCases()),
  filters: () => runCases(filterCases()),
  policies: () => runCases(policyCases()),
  'aggregate-channel': () => runCases(aggregateAndChannelCases()),
  rules: () => runCases(ruleCases()),
  planner: () => runCases(plannerCases()),
  config: () => runCases(configCases()),
  'wake-cycle': wakeCycleCases,
});

/** One group's results as one byte string: CBOR [[id, bytes], ...]. */
export async function runGroup(name: string): Promise<Uint8Array> {
  const group = GROUPS[name];
  if (group === undefined) throw new Error(`no conformance group ${name}`);
  return encode(await group());
}
