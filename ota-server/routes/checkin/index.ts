/** POST /v1/devices/:id/checkin: the device's own token only. */
import type { FastifyPluginAsync } from 'fastify';
import type { CheckInRequest } from '../../core.js';
import { principalOf } from '../../plugins/auth.js';
import { ServerError } from '../../errors.js';
import type { RouteOptions } from '../common.js';
import { sendMessage, useMessageParser } from '../messages.js';
import type { CheckInAnswerer } from './answer.js';
import { decodeCheckInBody } from './decode.js';
import * as S from './schemas.js';

const checkin: FastifyPluginAsync<RouteOptions & { answer: CheckInAnswerer }> = async (app, { answer }) => {
  useMessageParser(app, S.REQUEST_MAX_BYTES, decodeCheckInBody);

  app.post<{ Params: { id: string }; Body: CheckInRequest }>(S.PATH, {
    config: { access: { device: 'own' } }, schema: S.checkIn, bodyLimit: S.REQUEST_MAX_BYTES,
  }, async (request, reply) => {
    const principal = principalOf(request);
    if (principal.kind !== 'device') throw new ServerError('ERR_FORBIDDEN');
    const { format, bytes } = await answer(principal.device, request.body, request.headers, request.log);
    return sendMessage(reply, format, bytes);
  });
};

export default checkin;
