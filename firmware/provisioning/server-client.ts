/**
 * The device's side of the OTA server's HTTP API (design section 5): provisioning and check-in,
 * over the firmware's own HTTP client, with the messages of firmware/messages (CBOR by
 * default). Firmware download uses firmware/http/range.ts with the same endpoint and token.
 *
 * Status handling:
 * - provisioning: 200/201 -> credentials; 401, 403, 404, 409, 410 -> ERR_PROVISION_REFUSED
 *   (details.status; the claim is kept for a later try or a person); anything else ERR_HTTP_STATUS.
 * - check-in: 200 -> answer; anything else ERR_HTTP_STATUS with details.status (401/403: the
 *   device token is no longer valid).
 * Transport failures keep their own codes (ERR_HTTP_TIMEOUT, ERR_SOCKET_*, ERR_DNS).
 */
import { FirmwareError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http/client.js';
import type { ConnectTarget } from '../http/connection.js';
import { decodeCheckInAnswer, encodeCheckIn, CHECKIN_ANSWER_MAX_BYTES, type CheckInAnswer, type CheckInRequest } from '../messages/checkin.js';
import { CONTENT_TYPE, formatOf, type MessageFormat } from '../messages/format.js';
import { decodeProvisionAnswer, encodeProvisionRequest, PROVISION_ANSWER_MAX_BYTES, type ProvisionAnswer, type ProvisionRequest } from '../messages/provision.js';

export interface ServerEndpoint {
  host: string;
  port?: number;
  tls?: ConnectTarget['tls'];
  /** Body format the device sends and asks for (default CBOR). */
  format?: MessageFormat;
}

export interface TimedAnswer<T> {
  answer: T;
  /** Monotonic ms when the request was sent and the answer's head arrived (for the clock fix). */
  sentMonoMs: number;
  receivedMonoMs: number;
}

const REFUSED = [401, 403, 404, 409, 410];

export class DeviceServerClient {
  readonly #http: HttpClient;
  readonly #server: ServerEndpoint;
  readonly #monotonicMs: () => number;
  readonly #format: MessageFormat;

  constructor(options: { http: HttpClient; server: ServerEndpoint; monotonicMs: () => number }) {
    if (options?.http === undefined || typeof options.http.request !== 'function') throw new FirmwareError('ERR_PORT_MISSING', 'DeviceServerClient needs an HttpClient');
    if (typeof options.monotonicMs !== 'function') throw new FirmwareError('ERR_PORT_MISSING', 'DeviceServerClient needs a monotonic clock');
    this.#http = options.http;
    this.#server = options.server;
    this.#monotonicMs = options.monotonicMs;
    this.#format = options.server.format ?? 'cbor';
  }

  get server(): ServerEndpoint {
    return this.#server;
  }

  async #post(path: string, body: Uint8Array, token: string | undefined, maxBytes: number, totalTimeoutMs: number | undefined): Promise<{ response: HttpResponse; bytes: Uint8Array; format: MessageFormat; sent: number; received: number }> {
    const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPE[this.#format], Accept: CONTENT_TYPE[this.#format] };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const sent = this.#monotonicMs();
    const response = await this.#http.request({
      host: this.#server.host,
      ...(this.#server.port === undefined ? {} : { port: this.#server.port }),
      ...(this.#server.tls === undefined ? {} : { tls: this.#server.tls }),
      method: 'POST',
      path,
      headers,
      body,
      ...(totalTimeoutMs === undefined ? {} : { totalTimeoutMs: Math.max(1, totalTimeoutMs) }),
    });
    const received = this.#monotonicMs();
    const bytes = await response.bytes(maxBytes);
    return { response, bytes, format: formatOf(response.headers.get('content-type')) ?? this.#format, sent, received };
  }

  /** POST /v1/provision: identity and claim secret for the device's credentials. */
  async provision(request: ProvisionRequest, options: { totalTimeoutMs?: number } = {}): Promise<TimedAnswer<ProvisionAnswer>> {
    const { response, bytes, format, sent, received } = await this.#post('/v1/provision', encodeProvisionRequest(request, this.#format), undefined, PROVISION_ANSWER_MAX_BYTES, options.totalTimeoutMs);
    if (REFUSED.includes(response.status)) {
      throw new FirmwareError('ERR_PROVISION_REFUSED', `${response.status} ${response.statusText}`, { status: response.status });
    }
    if (response.status !== 200 && response.status !== 201) {
      throw new FirmwareError('ERR_HTTP_STATUS', `provisioning: ${response.status} ${response.statusText}`, { status: response.status });
    }
    return { answer: decodeProvisionAnswer(bytes, format), sentMonoMs: sent, receivedMonoMs: received };
  }

  /** POST /v1/devices/{id}/checkin with the device token. */
  async checkIn(token: string, request: CheckInRequest, options: { totalTimeoutMs?: number } = {}): Promise<TimedAnswer<CheckInAnswer>> {
    const path = `/v1/devices/${encodeURIComponent(request.deviceId)}/checkin`;
    const { response, bytes, format, sent, received } = await this.#post(path, encodeCheckIn(request, this.#format), token, CHECKIN_ANSWER_MAX_BYTES, options.totalTimeoutMs);
    if (response.status !== 200) {
      throw new FirmwareError('ERR_HTTP_STATUS', `check-in: ${response.status} ${response.statusText}`, { status: response.status });
    }
    return { answer: decodeCheckInAnswer(bytes, format), sentMonoMs: sent, receivedMonoMs: received };
  }
}
