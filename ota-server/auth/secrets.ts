/**
 * Tokens and secrets. Every secret the server hands out (admin and API tokens, device tokens,
 * claim secrets, MQTT passwords) is 32 bytes from the OS CSPRNG, shown once, and stored only as
 * its SHA-256. A slow password hash (scrypt, argon2) exists to make guessing low-entropy human
 * passwords expensive; a 256-bit random token cannot be guessed at any speed, so one SHA-256 is
 * enough, keeps the per-request cost at a microsecond, and makes the hash usable as a lookup
 * key (no per-row salt needed: equal hashes imply equal tokens, which only the holder knows).
 * A leaked database therefore reveals no usable credential.
 */
import { hash, randomBytes } from 'node:crypto';

/** The prefix says what a token is when it turns up in a log or a config file. */
export const TOKEN_PREFIX = Object.freeze({ api: 'ota_api_', device: 'ota_dev_', claim: 'ota_clm_', mqtt: 'ota_mq_' } as const);

export function generateSecret(kind: keyof typeof TOKEN_PREFIX): string {
  return TOKEN_PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Short random ids for tokens and rollouts (not secrets). */
export function randomId(prefix: string): string {
  return prefix + randomBytes(8).toString('hex');
}
