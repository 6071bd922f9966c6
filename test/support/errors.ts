import { FirmwareError, type ErrorCode } from '../../firmware/index.js';

/**
 * The FirmwareError code `fn` throws, or 'no error'. Any other exception is rethrown, so a test
 * that expects a coded error fails loudly on an uncoded one.
 */
export function codeOf(fn: () => unknown): ErrorCode | 'no error' {
  try {
    fn();
  } catch (error) {
    if (error instanceof FirmwareError) return error.code;
    throw error;
  }
  return 'no error';
}
