/**
 * First-boot provisioning (design section 5): a device ships with its identity and a one-time
 * claim secret; on first boot it exchanges them at `POST /v1/provision` for its own credentials
 * (device token, MQTT username, password and brokers) and first config, and keeps them in the kv
 * port.
 *
 * kv keys (NVS limit: 15 characters):
 * - `prov.claim`  the claim secret (UTF-8), written at the factory or by the host; deleted once
 *                 credentials are stored.
 * - `prov.creds`  the ProvisionAnswer as CBOR (firmware/messages/provision.ts), one key so that
 *                 a power cut leaves either no credentials or all of them.
 * The order is: write `prov.creds`, then delete `prov.claim`. A cut between the two leaves a
 * stale claim, which the next call removes.
 */
import { utf8Decode } from '../codec/utf8.js';
import { FirmwareError } from '../errors.js';
import { decodeProvisionAnswer, encodeProvisionAnswer, type ProvisionAnswer } from '../messages/provision.js';
import type { KvPort } from '../ports/kv.js';
import type { LogPort } from '../ports/log.js';
import type { UtcClock } from '../time/utc-clock.js';
import type { DeviceServerClient } from './server-client.js';

export const KV_CREDENTIALS = 'prov.creds';
export const KV_CLAIM = 'prov.claim';

/** Stored credentials, or undefined when the device is not provisioned (or the record is unreadable). */
export function loadCredentials(kv: KvPort, log?: LogPort): ProvisionAnswer | undefined {
  const bytes = kv.get(KV_CREDENTIALS);
  if (bytes === undefined) return undefined;
  try {
    return decodeProvisionAnswer(bytes);
  } catch (error) {
    log?.log('error', 'CREDENTIALS_CORRUPT', { error: (error as Error).message });
    return undefined;
  }
}

export interface ProvisionOptions {
  kv: KvPort;
  client: DeviceServerClient;
  deviceId: string;
  /** Claim secret; read from kv `prov.claim` when absent. */
  claimSecret?: string;
  /** Set from the answer's server time when given (the first clock fix). */
  utc?: UtcClock;
  log?: LogPort;
}

/**
 * The stored credentials, or new ones from the server. Throws ERR_PROVISION_REFUSED (claim used
 * or unknown), ERR_CONFIG_INVALID (no claim secret anywhere), or a transport error (try later).
 */
export async function ensureProvisioned(options: ProvisionOptions): Promise<{ credentials: ProvisionAnswer; fresh: boolean }> {
  const { kv, log } = options;
  const stored = loadCredentials(kv, log);
  if (stored !== undefined) {
    if (kv.get(KV_CLAIM) !== undefined) kv.delete(KV_CLAIM);
    return { credentials: stored, fresh: false };
  }
  let claimSecret = options.claimSecret;
  if (claimSecret === undefined) {
    const raw = kv.get(KV_CLAIM);
    if (raw === undefined) throw new FirmwareError('ERR_CONFIG_INVALID', `no credentials and no claim secret (kv ${KV_CLAIM})`);
    claimSecret = utf8Decode(raw);
  }
  const { answer, sentMonoMs, receivedMonoMs } = await options.client.provision({ deviceId: options.deviceId, claimSecret });
  kv.set(KV_CREDENTIALS, encodeProvisionAnswer(answer));
  if (kv.get(KV_CLAIM) !== undefined) kv.delete(KV_CLAIM);
  log?.log('info', 'PROVISIONED', { deviceId: options.deviceId, brokers: answer.mqtt.brokers.length });
  if (answer.serverTimeMs !== undefined && options.utc !== undefined) options.utc.applyServerTime(answer.serverTimeMs, sentMonoMs, receivedMonoMs);
  return { credentials: answer, fresh: true };
}

/** Forgets the credentials (the server revoked the token): the next boot needs a new claim. */
export function forgetCredentials(kv: KvPort): void {
  if (kv.get(KV_CREDENTIALS) !== undefined) kv.delete(KV_CREDENTIALS);
}
