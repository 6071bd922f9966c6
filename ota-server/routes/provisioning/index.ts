/** POST /v1/provision: public; the claim secret is the credential (usable once). */
import type { FastifyPluginAsync } from 'fastify';
import { decodeProvisionRequest, encodeProvisionAnswer, type ProvisionRequest } from '../../core.js';
import type { RouteOptions } from '../common.js';
import { answerFormat, sendMessage, useMessageParser } from '../messages.js';
import * as S from './schemas.js';

const provisioning: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  useMessageParser(app, S.REQUEST_MAX_BYTES, decodeProvisionRequest);

  app.post<{ Body: ProvisionRequest }>('/provision', {
    config: { access: { public: true } }, schema: S.provision, bodyLimit: S.REQUEST_MAX_BYTES,
  }, async (request, reply) => {
    const answer = await services.devices.provision(request.body.deviceId, request.body.claimSecret);
    request.log.info({ deviceId: request.body.deviceId }, 'device provisioned');
    const format = answerFormat(request.headers);
    return sendMessage(reply, format, encodeProvisionAnswer(answer, format));
  });
};

export default provisioning;
