/**
 * Input a route does not declare is refused (400) before anything runs, so that "bad input
 * changes nothing" holds for the input a route ignores too:
 * - a route with no body schema takes no body (a DELETE or an action POST with a junk body
 *   would otherwise still act); routes that stream their body say so with `config.rawBody`;
 * - a route whose body schema is keyed by media type (the device messages) needs a body, since
 *   Fastify validates such a schema only when a body of a listed type arrives;
 * - a route that changes state (not GET or HEAD) and declares no query string takes none.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { ServerError } from '../errors.js';
import { addRouteHook } from './auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    rawBody?: true;
  }
}

const inputPolicy: FastifyPluginAsync = async (app: FastifyInstance) => {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const name = `${methods.join(',')} ${route.url}`;
    const schema = route.schema as { body?: { content?: unknown }; querystring?: unknown } | undefined;
    const raw = route.config?.rawBody === true;
    const noBody = !raw && schema?.body === undefined;
    const needsBody = !raw && schema?.body?.content !== undefined;
    const noQuery = schema?.querystring === undefined && !methods.every((m) => m === 'GET' || m === 'HEAD');
    // Policy decided once per route; the per-request check only reads headers, so it runs in
    // onRequest right after authentication (no hook is left for the preParsing stage).
    // Callback style: a synchronous check costs no promise per request.
    addRouteHook(route, 'onRequest', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const hasBody = request.headers['transfer-encoding'] !== undefined
        || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');
      if (hasBody && noBody) done(new ServerError('ERR_VALIDATION', `${name} takes no body`));
      else if (!hasBody && needsBody) done(new ServerError('ERR_VALIDATION', `${name} needs a body`));
      else if (noQuery && request.url.includes('?')) done(new ServerError('ERR_VALIDATION', `${name} takes no query string`));
      else done();
    });
  });
};

export default fp(inputPolicy, { name: 'ota-input-policy', fastify: '5.x' });
