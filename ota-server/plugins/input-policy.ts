/**
 * Input a route does not declare is refused (400) before anything runs, so that "bad input
 * changes nothing" holds for the input a route ignores too:
 * - a route with no body schema takes no body (a DELETE or an action POST with a junk body
 *   would otherwise still act); routes that stream their body say so with `config.rawBody`;
 * - a route whose body schema is keyed by media type (the device messages) needs a body, since
 *   Fastify validates such a schema only when a body of a listed type arrives;
 * - a route that changes state (not GET or HEAD) and declares no query string takes none.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ServerError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    rawBody?: true;
  }
}

const inputPolicy: FastifyPluginAsync = async (app: FastifyInstance) => {
  app.addHook('preParsing', async (request) => {
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    const schema = request.routeOptions.schema as { body?: { content?: unknown }; querystring?: unknown } | undefined;
    const hasBody = request.headers['transfer-encoding'] !== undefined
      || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');
    if (request.routeOptions.config.rawBody !== true) {
      if (hasBody && schema?.body === undefined) throw new ServerError('ERR_VALIDATION', `${route} takes no body`);
      if (!hasBody && schema?.body?.content !== undefined) throw new ServerError('ERR_VALIDATION', `${route} needs a body`);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD' && schema?.querystring === undefined && request.url.includes('?')) {
      throw new ServerError('ERR_VALIDATION', `${route} takes no query string`);
    }
  });
};

export default fp(inputPolicy, { name: 'ota-input-policy', fastify: '5.x' });
