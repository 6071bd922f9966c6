/** Liveness and the OpenAPI description. (GET /metrics lives in plugins/metrics.ts.) */
import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/swagger';
import type { RouteOptions } from '../common.js';

const system: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  app.get('/healthz', {
    config: { access: { public: true } },
    schema: {
      tags: ['system'], summary: 'Liveness: the store answers', security: [],
      response: { 200: { type: 'object', properties: { status: { type: 'string' }, store: { type: 'string' } } }, 503: { $ref: 'Error#' } },
    },
  }, async (_request, reply) => {
    try {
      await services.ctx.store.ping();
      return { status: 'ok', store: services.ctx.store.kind };
    } catch (error) {
      reply.log.error({ err: error }, 'health check: store unreachable');
      reply.code(503);
      return { statusCode: 503, code: 'ERR_INTERNAL', error: 'Service Unavailable', message: 'store unreachable' };
    }
  });

  app.get('/openapi.json', {
    config: { access: { public: true } },
    schema: { hide: true },
  }, async () => app.swagger());
};

export default system;
