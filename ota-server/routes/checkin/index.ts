/** POST /v1/devices/:id/checkin: the device's own token only. */
import type { FastifyPluginAsync } from 'fastify';
import { decodeCheckIn, encodeCheckInAnswer, type CheckInRequest } from '../../core.js';
import type { Metrics } from '../../plugins/metrics.js';
import { principalOf } from '../../plugins/auth.js';
import { ServerError } from '../../errors.js';
import type { RouteOptions } from '../common.js';
import { answerFormat, sendMessage, useMessageParser } from '../messages.js';
import * as S from './schemas.js';

const checkin: FastifyPluginAsync<RouteOptions & { metrics: Metrics }> = async (app, { services, metrics }) => {
  useMessageParser(app, S.REQUEST_MAX_BYTES, decodeCheckIn);
  // Label children resolved once, not per check-in.
  const answered = { ok: metrics.checkIns.labels('ok'), offered: metrics.checkIns.labels('offered') };

  app.post<{ Params: { id: string }; Body: CheckInRequest }>('/devices/:id/checkin', {
    config: { access: { device: 'own' } }, schema: S.checkIn, bodyLimit: S.REQUEST_MAX_BYTES,
  }, async (request, reply) => {
    const principal = principalOf(request);
    if (principal.kind !== 'device') throw new ServerError('ERR_FORBIDDEN');
    const { answer, offeredRollout } = await services.checkIns.checkIn(principal.device, request.body);
    if (offeredRollout === undefined) answered.ok.inc();
    else {
      answered.offered.inc();
      request.log.info({ deviceId: principal.device.id, rolloutId: offeredRollout }, 'update offered');
    }
    const format = answerFormat(request);
    return sendMessage(reply, format, encodeCheckInAnswer(answer, format));
  });
};

export default checkin;
