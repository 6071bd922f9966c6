/**
 * The work of a check-in once the caller is known and the body decoded: the service's decision,
 * the check-in counter, the offer's log line, the answer in the format the device asked for.
 * Shared by the Fastify route and the direct path, so both answer alike.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { encodeCheckInAnswer, type CheckInRequest, type MessageFormat } from '../../core.js';
import type { Metrics } from '../../plugins/metrics.js';
import type { Services } from '../../services/index.js';
import type { DeviceIdentity } from '../../store/types.js';
import { answerFormat } from '../messages.js';

export type CheckInAnswerer = (device: DeviceIdentity, message: CheckInRequest, headers: IncomingHttpHeaders, log: FastifyBaseLogger)
  => Promise<{ format: MessageFormat; bytes: Uint8Array }>;

export function checkInAnswerer(services: Services, metrics: Metrics): CheckInAnswerer {
  return async (device, message, headers, log) => {
    const { answer, offeredRollout } = await services.checkIns.checkIn(device, message);
    if (offeredRollout === undefined) metrics.countCheckIn('ok');
    else {
      metrics.countCheckIn('offered');
      log.info({ deviceId: device.id, rolloutId: offeredRollout }, 'update offered');
    }
    const format = answerFormat(headers);
    return { format, bytes: encodeCheckInAnswer(answer, format) };
  };
}
