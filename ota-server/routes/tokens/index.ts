/** API tokens: create (secret shown once), list, revoke. Admin only; whoami for any API token. */
import type { FastifyPluginAsync } from 'fastify';
import { principalOf } from '../../plugins/auth.js';
import { ServerError } from '../../errors.js';
import type { ApiRole } from '../../store/types.js';
import type { RouteOptions } from '../common.js';
import * as S from './schemas.js';

const tokens: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  app.post<{ Body: { name: string; role: ApiRole } }>('/tokens', { config: { access: { role: 'admin' } }, schema: S.createToken }, async (request, reply) => {
    const { record, token } = await services.tokens.create(request.body.name, request.body.role);
    request.log.info({ tokenId: record.id, role: record.role }, 'API token created');
    reply.code(201);
    return { ...record, token };
  });

  app.get('/tokens', { config: { access: { role: 'admin' } }, schema: S.listTokens }, async () => ({ tokens: await services.ctx.store.listApiTokens() }));

  app.delete<{ Params: { id: string } }>('/tokens/:id', { config: { access: { role: 'admin' } }, schema: S.revokeToken }, async (request, reply) => {
    if (!(await services.ctx.store.revokeApiToken(request.params.id, services.ctx.now()))) throw new ServerError('ERR_NOT_FOUND', `live token ${request.params.id}`);
    request.log.info({ tokenId: request.params.id }, 'API token revoked');
    reply.code(204);
  });

  app.get('/whoami', { config: { access: { role: 'viewer' } }, schema: S.whoami }, async (request) => {
    const p = principalOf(request);
    if (p.kind !== 'api') throw new ServerError('ERR_FORBIDDEN');
    return { kind: 'api', id: p.token.id, name: p.token.name, role: p.token.role };
  });
};

export default tokens;
