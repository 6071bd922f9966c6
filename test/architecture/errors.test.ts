import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FirmwareError, RETIRED_CODES, isFirmwareError } from '../../firmware/index.js';

// As Fastify's test/internals/errors.test.js: every code is documented, none is reused.
describe('error codes', () => {
  const doc = readFileSync(resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
  for (const code of Object.keys(ERROR_CODES)) {
    it(`${code} is listed in docs/errors.md`, () => expect(doc).toContain(`\`${code}\``));
  }
  it('retired codes are not in use', () => {
    for (const code of RETIRED_CODES) expect(Object.keys(ERROR_CODES)).not.toContain(code);
  });
  it('FirmwareError carries its code and the table text', () => {
    const error = new FirmwareError('ERR_CBOR_TRAILING', '2 bytes');
    expect(error.code).toBe('ERR_CBOR_TRAILING');
    expect(error.message).toBe('bytes left after the CBOR item: 2 bytes');
    expect(isFirmwareError(error, 'ERR_CBOR_TRAILING')).toBe(true);
    expect(isFirmwareError(error, 'ERR_CBOR_DEPTH')).toBe(false);
    expect(isFirmwareError(new Error('x'))).toBe(false);
  });
});
