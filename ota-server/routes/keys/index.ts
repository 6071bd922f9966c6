/** Trusted release keys (admin): the public half of the keys that sign firmware manifests. */
import type { FastifyPluginAsync } from 'fastify';
import { ServerError } from '../../errors.js';
import type { TrustedKeyRecord } from '../../store/types.js';
import type { RouteOptions } from '../common.js';
import * as S from './schemas.js';

const view = (k: TrustedKeyRecord) => ({ id: k.id, name: k.name, publicKey: k.publicKeyHex, createdAtMs: k.createdAtMs, revokedAtMs: k.revokedAtMs });

const keys: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  app.post<{ Body: { name: string; publicKey: string } }>('/keys', { config: { access: { role: 'admin' } }, schema: S.addKey }, async (request, reply) => {
    const key = await services.firmware.addKey(request.body.name, request.body.publicKey.toLowerCase());
    request.log.info({ keyId: key.id }, 'trusted key added');
    reply.code(201);
    return view(key);
  });

  app.get('/keys', { config: { access: { role: 'viewer' } }, schema: S.listKeys }, async () => ({ keys: (await services.ctx.store.listTrustedKeys()).map(view) }));

  app.delete<{ Params: { id: string } }>('/keys/:id', { config: { access: { role: 'admin' } }, schema: S.revokeKey }, async (request, reply) => {
    if (!(await services.ctx.store.revokeTrustedKey(request.params.id, services.ctx.now()))) throw new ServerError('ERR_NOT_FOUND', `live key ${request.params.id}`);
    request.log.info({ keyId: request.params.id }, 'trusted key revoked');
    reply.code(204);
  });
};

export default keys;
