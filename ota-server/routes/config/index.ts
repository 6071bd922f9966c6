/** Remote config documents per scope: fleet, tag/:name, device/:name. Viewer reads, operator writes. */
import type { FastifyPluginAsync } from 'fastify';
import { scopeName } from '../../services/configs.js';
import type { RouteOptions } from '../common.js';
import { page } from '../common.js';
import * as S from './schemas.js';

export const CONFIG_BODY_LIMIT = 64 * 1024;

const config: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  app.get('/config', { config: { access: { role: 'viewer' } }, schema: S.listAll }, async () => ({ configs: await services.ctx.store.listConfigs() }));

  for (const kind of Object.keys(S.SCOPES) as S.ScopeKind[]) {
    const path = kind === 'fleet' ? '/config/fleet' : `/config/${kind}/:name`;
    type P = { Params: { name?: string } };
    const scopeOf = (params: { name?: string }): string => scopeName(kind, params.name);

    app.get<P>(path, { config: { access: { role: 'viewer' } }, schema: S.get(kind) }, async (request) => services.configs.get(scopeOf(request.params)));

    app.put<P & { Body: unknown }>(path, { config: { access: { role: 'operator' } }, schema: S.put(kind), bodyLimit: CONFIG_BODY_LIMIT }, async (request) => {
      const record = await services.configs.put(scopeOf(request.params), request.body);
      request.log.info({ scope: record.scope, version: record.version }, 'config document set');
      return record;
    });

    app.delete<P>(path, { config: { access: { role: 'operator' } }, schema: S.remove(kind) }, async (request, reply) => {
      await services.configs.remove(scopeOf(request.params));
      request.log.info({ scope: scopeOf(request.params) }, 'config document deleted');
      reply.code(204);
    });

    app.get<P & { Querystring: { limit?: string } }>(`${path}/history`, { config: { access: { role: 'viewer' } }, schema: S.history(kind) },
      async (request) => ({ versions: await services.ctx.store.configHistory(scopeOf(request.params), page(request.query).limit) }));
  }
};

export default config;
