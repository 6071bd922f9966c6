import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, Tagged } from '../../../../firmware/codec/cbor.js';
import { buildPack, resolvePack, SENML_UNITS, type Reading } from '../../../../firmware/codec/senml.js';
import { fromHex, toHex } from '../../../../firmware/codec/bytes.js';
import type { ErrorCode } from '../../../../firmware/errors.js';
import { codeOf } from '../../../support/errors.js';

const BN = 'urn:dev:mac:0024befffe804ff1:';
const T0 = 1_700_000_000_000;
// protocols.md 1.5, checked there with cbor2 and cbor-x.
const WORKED_PACK = '83a5006474656d70016343656c02f94d6021781d75726e3a6465763a6d61633a303032346265666666653830346666313a221a6553f100a3006368756d016325524802f951b0a40063626174016325454c02185706383b';


const rec = (...entries: [number | string, unknown][]): Map<number | string, unknown> => new Map(entries);
const resolveCode = (pack: unknown): ErrorCode | 'no error' => codeOf(() => resolvePack(pack, { nowSeconds: 1_700_000_000 }));
const reading = (over: Partial<Reading> = {}): Reading => ({ name: 'temp', unit: 'Cel', value: 21.5, timeMs: T0, seq: 1, ...over });

describe('the worked pack of protocols.md 1.5 (RFC 8428 6)', () => {
  const structure = [
    rec([0, 'temp'], [1, 'Cel'], [2, 21.5], [-2, BN], [-3, 1_700_000_000]),
    rec([0, 'hum'], [1, '%RH'], [2, 45.5]),
    rec([0, 'bat'], [1, '%EL'], [2, 87], [6, -60]),
  ];

  it('encodes byte for byte (87 bytes, keys in deterministic order)', () => {
    const out = encode(structure);
    expect(toHex(out)).toBe(WORKED_PACK);
    expect(out.length).toBe(87);
  });

  it('resolves to the listed records, in time order (RFC 8428 4.6)', () => {
    expect(resolvePack(fromHex(WORKED_PACK))).toStrictEqual([
      { name: `${BN}bat`, unit: '%EL', value: 87, time: 1_699_999_940 },
      { name: `${BN}temp`, unit: 'Cel', value: 21.5, time: 1_700_000_000 },
      { name: `${BN}hum`, unit: '%RH', value: 45.5, time: 1_700_000_000 },
    ]);
    expect(resolvePack(decode(fromHex(WORKED_PACK)))).toStrictEqual(resolvePack(fromHex(WORKED_PACK)));
  });

  it('resolves the same whatever the key order on the wire (cbor-x, insertion order)', () => {
    const wire = new Encoder({ useRecords: false, mapsAsObjects: false, ...{ useTag259ForMaps: false } }).encode([
      rec([-3, 1_700_000_000], [-2, BN], [2, 21.5], [1, 'Cel'], [0, 'temp']),
      rec([2, 45.5], [0, 'hum'], [1, '%RH']),
      rec([6, -60], [2, 87], [1, '%EL'], [0, 'bat']),
    ]);
    expect(toHex(wire)).not.toBe(WORKED_PACK);
    expect(resolvePack(new Uint8Array(wire))).toStrictEqual(resolvePack(fromHex(WORKED_PACK)));
  });
});

describe('buildPack', () => {
  it('writes bn, bt and the first sequence number ("q") in the first record, n u v in each (exact bytes)', () => {
    expect(toHex(buildPack([reading()], { baseName: BN }))).toBe(
      '81a6006474656d70016343656c02f94d6021781d' + toHex(new TextEncoder().encode(BN)) + '221a6553f100' + '6171' + '01',
    );
    // Without a base name: no bn (the topic names the device), the rest the same.
    expect(toHex(buildPack([reading()]))).toBe('81a5006474656d70016343656c02f94d60221a6553f100617101');
  });

  it('numbers records consecutively from the first "q"; a record off the run carries its own, and the run goes on from it', () => {
    const pack = buildPack([reading({ seq: 7 }), reading({ seq: 8 }), reading({ seq: 20 }), reading({ seq: 21 })]);
    const out = decode(pack) as Map<number | string, unknown>[];
    expect(out.map((r) => r.get('q'))).toStrictEqual([7, undefined, 20, undefined]);
    expect(resolvePack(pack).map((r) => r.seq)).toStrictEqual([7, 8, 20, 21]);
    // A pack without any sequence label resolves without numbers, as before.
    expect(resolvePack([new Map<number, unknown>([[0, 'a'], [2, 1], [-3, 1_700_000_000]])])[0]!.seq).toBeUndefined();
  });

  it('writes t relative to the first reading, omitted when 0, in seconds in the shortest exact form', () => {
    const out = decode(buildPack([
      reading({ seq: 1 }), reading({ seq: 2, timeMs: T0 + 250 }), reading({ seq: 3, timeMs: T0 + 123 }),
      reading({ seq: 4, timeMs: T0 - 60_000 }), reading({ seq: 5, timeMs: T0 }),
    ])) as Map<number | string, unknown>[];
    expect(out.map((r) => r.get(6))).toStrictEqual([undefined, 0.25, new Tagged(4, [-3, 123]), -60, undefined]);
    expect(toHex(encode(out[1].get(6)))).toBe('f93400');
    expect(toHex(encode(out[2].get(6)))).toBe('c48222187b'); // 5 bytes, not fb... (9)
    expect(out[0].get(-3)).toBe(1_700_000_000);
    expect(out[0].has(-2)).toBe(false); // no base name given
  });

  it('keeps a fractional base time exact (whole milliseconds)', () => {
    const out = decode(buildPack([reading({ timeMs: T0 + 123 })])) as Map<number, unknown>[];
    expect(out[0].get(-3)).toBe(1_700_000_000.123);
  });

  it('writes booleans, strings and bytes as vb, vs and vd', () => {
    const out = decode(buildPack([
      reading({ name: 'door', unit: undefined, value: true }), reading({ name: 'state', unit: undefined, value: 'ok' }),
      reading({ name: 'raw', unit: undefined, value: new Uint8Array([1, 2]) }),
    ])) as Map<number, unknown>[];
    expect(out.map((r) => [r.get(4), r.get(3), r.get(8), r.has(2), r.has(1)])).toStrictEqual([
      [true, undefined, undefined, false, false], [undefined, 'ok', undefined, false, false], [undefined, undefined, new Uint8Array([1, 2]), false, false],
    ]);
  });

  it('rounds values to `decimals` and picks the shorter of float and decimal fraction', () => {
    const out = decode(buildPack([
      reading({ value: 21.534 }), reading({ value: 21.5, seq: 2 }), reading({ value: 101325.4, unit: 'Pa', seq: 3 }), reading({ value: -3.007, seq: 4 }),
      reading({ value: 20, seq: 5 }), reading({ value: 1e300, seq: 6 }),
    ], { decimals: 2 })) as Map<number, unknown>[];
    expect(out.map((r) => r.get(2))).toStrictEqual([new Tagged(4, [-2, 2153]), 21.5, new Tagged(4, [-1, 1013254]), new Tagged(4, [-2, -301]), 20, 1e300]);
    const plain = decode(buildPack([reading({ value: 21.534 })])) as Map<number, unknown>[];
    expect(plain[0].get(2)).toBe(21.534);
    expect(resolvePack(buildPack([reading({ value: 21.534 })], { decimals: 2 }))[0].value).toBe(21.53);
    expect(resolvePack(buildPack([reading({ value: 21.5349 })], { decimals: 0 }))[0].value).toBe(22);
  });

  it('is deterministic: same readings, same bytes', () => {
    const rs = [reading(), reading({ name: 'hum', unit: '%RH', value: 45.2, timeMs: T0 + 10, seq: 2 })];
    expect(toHex(buildPack(rs, { baseName: BN }))).toBe(toHex(buildPack(rs.map((r) => ({ ...r })), { baseName: BN })));
  });

  it.each<[string, () => unknown]>([
    ['no readings', () => buildPack([])],
    ['not an array', () => buildPack('x' as never)],
    ['reading not an object', () => buildPack([null as never])],
    ['hPa is a secondary unit (RFC 8798), not in RFC 8428', () => buildPack([reading({ unit: 'hPa' })])],
    ['NaN value', () => buildPack([reading({ value: NaN })])],
    ['Infinity value', () => buildPack([reading({ value: Infinity })])],
    ['object value', () => buildPack([reading({ value: {} as never })])],
    ['time that would read as relative', () => buildPack([reading({ timeMs: 1000 })])],
    ['fractional milliseconds', () => buildPack([reading({ timeMs: T0 + 0.5 })])],
    ['negative seq', () => buildPack([reading({ seq: -1 })])],
    ['fractional seq', () => buildPack([reading({ seq: 1.5 })])],
    ['name with a space', () => buildPack([reading({ name: 'temp C' })])],
    ['empty name without base name', () => buildPack([reading({ name: '' })])],
    ['name starting with "-"', () => buildPack([reading({ name: '-t' })])],
    ['base name not a string', () => buildPack([reading()], { baseName: 5 as never })],
    ['decimals out of range', () => buildPack([reading()], { decimals: 10 })],
    ['bad second reading', () => buildPack([reading(), reading({ seq: -2 })])],
  ])('refuses %s with ERR_SENML_INVALID', (_, f) => expect(codeOf(f)).toBe('ERR_SENML_INVALID'));

  it('allows an empty name when the base name names the sensor', () => {
    expect(resolvePack(buildPack([reading({ name: '' })], { baseName: 'urn:dev:x:temp' }))[0].name).toBe('urn:dev:x:temp');
  });

  it('knows the units a temperature/humidity/pressure/battery node sends', () => {
    for (const u of ['Cel', '%RH', 'Pa', 'V', '%EL', 'count', 'lx', 'dBW', '/']) expect(SENML_UNITS).toContain(u);
    for (const u of ['hPa', 'mV', 'dBm', 'degC']) expect(SENML_UNITS).not.toContain(u);
  });

  it('round-trips through resolvePack: names, units, values, times (ms), seq; time order, stable', () => {
    const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.string({ unit: 'binary', maxLength: 8 }), fc.uint8Array({ maxLength: 8 }));
    const arb = fc.array(fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9_./-]{0,8}$/),
      unit: fc.option(fc.constantFrom(...SENML_UNITS), { nil: undefined }),
      value,
      timeMs: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
      seq: fc.nat(),
    }), { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(arb, (readings) => {
      const clean: Reading[] = readings.map((r) => (r.unit === undefined ? { name: r.name, value: r.value, timeMs: r.timeMs, seq: r.seq } : r));
      const resolved = resolvePack(buildPack(clean, { baseName: 'urn:dev:x:' }));
      const expected = clean.map((r, i) => ({ r, i })).sort((a, b) => a.r.timeMs - b.r.timeMs || a.i - b.i).map(({ r }) => r);
      expect(resolved.map((x) => Math.round(x.time * 1000))).toStrictEqual(expected.map((r) => r.timeMs));
      expect(resolved.map((x) => [x.name, x.unit, x.value ?? x.boolValue ?? x.stringValue ?? x.dataValue, x.seq]))
        .toStrictEqual(expected.map((r) => [`urn:dev:x:${r.name}`, r.unit, r.value, r.seq]));
    }), { numRuns: 500 });
  });
});

describe('resolvePack', () => {
  it('applies bn, bt, bu, bv and bs to later records until replaced (RFC 8428 4.1, 4.5)', () => {
    const pack = [
      rec([-2, 'a:'], [-3, 1_700_000_000], [-4, 'V'], [-5, 10], [-6, 100], [0, 'x'], [2, 1], [5, 1]),
      rec([0, 'y'], [2, 2], [6, 1]),
      rec([-2, 'b:'], [-5, 0], [-4, 'Pa'], [0, 'z'], [2, 3], [1, 'Cel'], [6, 2]),
      rec([-3, 1_800_000_000], [0, 'w'], [4, false]),
    ];
    expect(resolvePack(pack)).toStrictEqual([
      { name: 'a:x', unit: 'V', value: 11, sum: 101, time: 1_700_000_000 },
      { name: 'a:y', unit: 'V', value: 12, sum: 100, time: 1_700_000_001 },
      { name: 'b:z', unit: 'Cel', value: 3, sum: 100, time: 1_700_000_002 },
      { name: 'b:w', unit: 'Pa', boolValue: false, sum: 100, time: 1_800_000_000 },
    ]);
  });

  it('resolves relative times against nowSeconds (RFC 8428 4.5.3)', () => {
    const pack = [rec([0, 'a'], [2, 1], [6, -10]), rec([0, 'b'], [2, 1])];
    expect(resolvePack(pack, { nowSeconds: 1_700_000_000 }).map((r) => r.time)).toStrictEqual([1_699_999_990, 1_700_000_000]);
    expect(codeOf(() => resolvePack(pack))).toBe('ERR_SENML_INVALID');
  });

  it('reads decimal fractions, bigints and the other value fields', () => {
    const out = resolvePack([
      rec([-3, 1_700_000_000], [0, 'a'], [2, new Tagged(4, [-2, 2153])], ['q', 4]),
      rec([0, 'b'], [3, 'on'], [7, 5]),
      rec([0, 'c'], [8, new Uint8Array([7])], [6, new Tagged(4, [1, 3])]),
      rec([0, 'd'], [2, 2n ** 60n]),
    ]);
    expect(out).toStrictEqual([
      { name: 'a', value: 21.53, time: 1_700_000_000, seq: 4 },
      { name: 'b', stringValue: 'on', time: 1_700_000_000, updateTime: 5, seq: 5 },
      { name: 'd', value: 2 ** 60, time: 1_700_000_000, seq: 7 },
      { name: 'c', dataValue: new Uint8Array([7]), time: 1_700_000_030, seq: 6 },
    ]);
  });

  it('applies the context base name (baseName) to a pack without bn; a bn in the pack replaces it', () => {
    const pack = buildPack([reading({ seq: 1 }), reading({ name: 'hum', unit: '%RH', seq: 2 })]);
    expect(resolvePack(pack, { baseName: 'urn:dev:n1:' }).map((r) => r.name)).toStrictEqual(['urn:dev:n1:temp', 'urn:dev:n1:hum']);
    expect(resolvePack(pack).map((r) => r.name)).toStrictEqual(['temp', 'hum']);
    expect(resolvePack(buildPack([reading()], { baseName: BN }), { baseName: 'urn:dev:n1:' })[0]!.name).toBe(`${BN}temp`);
    expect(resolveCode([rec([0, 'a'], [2, 1], [-3, 1_700_000_000])])).toBe('no error');
    expect(codeOf(() => resolvePack(pack, { baseName: ' x' }))).toBe('ERR_SENML_INVALID'); // the resolved name must be valid
    expect(codeOf(() => resolvePack(pack, { baseName: 7 as unknown as string }))).toBe('ERR_SENML_INVALID');
  });

  it('accepts bver 10 and 26 (RFC 9100 secondary units), one per pack', () => {
    expect(resolveCode([rec([-1, 10], [0, 'a'], [2, 1])])).toBe('no error');
    expect(resolveCode([rec([-1, 26], [0, 'a'], [1, 'hPa'], [2, 1]), rec([-1, 26], [0, 'b'], [2, 1])])).toBe('no error');
    expect(resolveCode([rec([0, 'a'], [2, 1]), rec([-1, 10], [0, 'b'], [2, 1])])).toBe('no error');
  });

  it.each<[string, unknown, ErrorCode]>([
    ['bver 5', [rec([-1, 5], [0, 'a'], [2, 1])], 'ERR_SENML_VERSION'],
    ['bver 11', [rec([-1, 11], [0, 'a'], [2, 1])], 'ERR_SENML_VERSION'],
    ['bver 42 (unknown feature bit)', [rec([-1, 42], [0, 'a'], [2, 1])], 'ERR_SENML_VERSION'],
    ['bver changing inside the pack', [rec([0, 'a'], [2, 1]), rec([-1, 26], [0, 'b'], [2, 1])], 'ERR_SENML_VERSION'],
    ['bver as text', [rec([-1, '10'], [0, 'a'], [2, 1])], 'ERR_SENML_INVALID'],
    ['must-understand label', [rec([0, 'a'], [2, 1], ['ct_', 1])], 'ERR_SENML_MUST_UNDERSTAND'],
    ['must-understand label in a later record', [rec([0, 'a'], [2, 1]), rec([0, 'b'], [2, 1], ['x_', true])], 'ERR_SENML_MUST_UNDERSTAND'],
    ['not an array', rec([0, 'a'], [2, 1]), 'ERR_SENML_INVALID'],
    ['empty pack', [], 'ERR_SENML_INVALID'],
    ['record not a map', [[0, 'a']], 'ERR_SENML_INVALID'],
    ['name not text', [rec([0, 5], [2, 1])], 'ERR_SENML_INVALID'],
    ['base name not text', [rec([-2, new Uint8Array(1)], [0, 'a'], [2, 1])], 'ERR_SENML_INVALID'],
    ['v not a number', [rec([0, 'a'], [2, '1'])], 'ERR_SENML_INVALID'],
    ['v NaN', [rec([0, 'a'], [2, NaN])], 'ERR_SENML_INVALID'],
    ['vb not boolean', [rec([0, 'a'], [4, 1])], 'ERR_SENML_INVALID'],
    ['vs not text', [rec([0, 'a'], [3, new Uint8Array(1)])], 'ERR_SENML_INVALID'],
    ['vd not bytes', [rec([0, 'a'], [8, 'AQ'])], 'ERR_SENML_INVALID'],
    ['t not a number', [rec([0, 'a'], [2, 1], [6, 'now'])], 'ERR_SENML_INVALID'],
    ['bad decimal fraction', [rec([0, 'a'], [2, new Tagged(4, [1.5, 2])])], 'ERR_SENML_INVALID'],
    ['other tag as number', [rec([0, 'a'], [2, new Tagged(5, [1, 2])])], 'ERR_SENML_INVALID'],
    ['two values', [rec([0, 'a'], [2, 1], [4, true])], 'ERR_SENML_INVALID'],
    ['no value and no sum', [rec([0, 'a'])], 'ERR_SENML_INVALID'],
    ['invalid name characters', [rec([0, 'a b'], [2, 1])], 'ERR_SENML_INVALID'],
    ['empty name', [rec([2, 1])], 'ERR_SENML_INVALID'],
    ['negative seq', [rec([0, 'a'], [2, 1], ['q', -1])], 'ERR_SENML_INVALID'],
    ['fractional seq', [rec([0, 'a'], [2, 1], ['q', 1.5])], 'ERR_SENML_INVALID'],
    ['non-integer or non-text label', [new Map<unknown, unknown>([[0, 'a'], [2, 1], [true, 1]])], 'ERR_SENML_INVALID'],
  ])('refuses %s', (_, pack, code) => expect(resolveCode(pack)).toBe(code));

  it('ignores unknown labels that do not end in "_" (RFC 8428 4.4), integer or text', () => {
    expect(resolvePack([rec([0, 'a'], [2, 1], ['foo', 'bar'], [99, 'x'], [-7, 1])], { nowSeconds: 0 })).toStrictEqual([{ name: 'a', value: 1, time: 0 }]);
  });

  it('accepts a record with only a sum (RFC 8428 4.2)', () => {
    expect(resolvePack([rec([-3, 1_700_000_000], [0, 'energy'], [1, 'J'], [5, 1500])])).toStrictEqual([{ name: 'energy', unit: 'J', sum: 1500, time: 1_700_000_000 }]);
  });

  it('passes CBOR errors through with their ERR_CBOR_ code', () => {
    expect(codeOf(() => resolvePack(fromHex('81a1')))).toBe('ERR_CBOR_TRUNCATED');
    expect(codeOf(() => resolvePack(fromHex('81a200000001')))).toBe('ERR_CBOR_DUPLICATE_KEY');
  });

  it('guards nowSeconds', () => {
    expect(codeOf(() => resolvePack([rec([0, 'a'], [2, 1])], { nowSeconds: NaN }))).toBe('ERR_SENML_INVALID');
  });
});
