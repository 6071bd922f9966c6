import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateCheckIn } from '../../firmware/messages/checkin.js';
import * as S from '../../ota-server/routes/checkin/schemas.js';

// The direct check-in path (ota-server/routes/checkin/direct.ts) skips the route's JSON Schema
// because the shared validator, which every body passes first, is at least as strict: any body
// the validator accepts, the schema accepts. This holds that to account, near every edge.

// Fastify's validator options (app.ts).
const schema = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false }).compile(S.REQUEST);

// Mostly text of the allowed characters, up to past the longest allowed; some of any kind.
const text = (max: number, chars = '0-9A-Za-z.+_:-') => fc.oneof({ weight: 1, arbitrary: fc.string({ maxLength: max + 2 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: max + 2 }) },
  { weight: 8, arbitrary: fc.stringMatching(new RegExp(`^[0-9A-Za-z][${chars}]{0,${max}}$`)) });
const deviceId = text(64, 'A-Za-z0-9._:-');
const version = text(32, '0-9A-Za-z.+_-');
// Valid values, often at their edges, and now and then just past them.
const edgy = <T, U>(valid: fc.Arbitrary<T>, past: fc.Arbitrary<U>) => fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: past });
const count = edgy(fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.constantFrom(0, Number.MAX_SAFE_INTEGER, -0)),
  fc.constantFrom(-1, Number.MAX_SAFE_INTEGER + 1, 2 ** 64, 1.5, NaN, Infinity, '1'));
const anything = fc.oneof(fc.constant(undefined), fc.constant(null), fc.boolean(), count, text(8), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 30, arbitrary: a }, { weight: 1, arbitrary: anything });
// Mostly absent (a decoded body has no undefined fields), sometimes any value.
const rarely = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 20, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
const outcome = fc.record({
  kind: maybe(edgy(fc.constantFrom('succeeded', 'failed', 'rolled_back'), fc.constant('other'))), version: maybe(version), reason: fc.option(maybe(text(200)), { nil: undefined }),
  extra: rarely(anything),
}, { requiredKeys: ['kind', 'version'] });
/** The value without its undefined fields, at every depth (NaN, -0 and the rest kept, as CBOR carries them). */
function defined(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, defined(v)]));
}
const body = fc.record({
  deviceId: maybe(deviceId), firmwareVersion: maybe(version), slot: maybe(edgy(fc.constantFrom(0, 1), fc.constantFrom(2, -1, 0.5))),
  bootState: maybe(edgy(fc.constantFrom('new', 'pending-verify', 'valid', 'invalid', 'aborted', 'undefined'), fc.constantFrom('VALID', ''))),
  batteryVolts: maybe(edgy(fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), fc.constantFrom(0, 10, -0)), fc.constantFrom(-0.001, 10.000001, NaN))), configVersion: maybe(count),
  outbox: maybe(fc.record({ records: maybe(count), bytes: maybe(count), dropped: maybe(count), thinned: maybe(count), extra: rarely(anything) },
    { requiredKeys: ['records', 'bytes', 'dropped', 'thinned'] })),
  updateOutcome: fc.option(maybe(outcome), { nil: undefined, freq: 2 }), deviceTimeMs: maybe(count), extra: rarely(anything),
}, { requiredKeys: ['deviceId', 'firmwareVersion', 'slot', 'bootState', 'batteryVolts', 'configVersion', 'outbox', 'deviceTimeMs'] }).map(defined);

function accepted(value: unknown): boolean {
  try {
    validateCheckIn(value);
    return true;
  } catch {
    return false;
  }
}

describe('check-in body: the shared validator is at least as strict as the route JSON Schema', () => {
  it('every body the validator accepts, the schema accepts', () => {
    let both = 0;
    fc.assert(fc.property(body, (b) => {
      if (!accepted(b)) return;
      both++;
      expect(schema(b), JSON.stringify({ body: b, errors: schema.errors })).toBe(true);
    }), { numRuns: 30_000 });
    // The property must have been tried on many accepted bodies, not only on refused ones.
    expect(both).toBeGreaterThan(1000);
  });
});
