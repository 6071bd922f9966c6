/** Firmware store: manifests (verified), images (content-addressed), downloads with Range. */
import type { FastifyPluginAsync } from 'fastify';
import { Readable } from 'node:stream';
import { ServerError } from '../../errors.js';
import { firmwareOfferOf, principalOf } from '../../plugins/auth.js';
import { imagePath } from '../../services/firmware.js';
import type { FirmwareRecord } from '../../store/types.js';
import type { RouteOptions } from '../common.js';
import { decide } from './range.js';
import * as S from './schemas.js';

export const view = (f: FirmwareRecord) => ({
  sha256: f.sha256, version: f.version, board: f.board, securityVersion: f.securityVersion, size: f.size, keyId: f.keyId,
  manifest: Buffer.from(f.manifest).toString('base64'), createdAtMs: f.createdAtMs, imageStoredAtMs: f.imageStoredAtMs,
  downloadPath: imagePath(f.sha256),
});

/** HEAD: Fastify keeps our Content-Length for a stream payload (it would write 0 for none). */
const emptyStream = (): Readable => Readable.from([]);

const firmware: FastifyPluginAsync<RouteOptions & { maxImageBytes: number }> = async (app, { services, maxImageBytes }) => {
  // The image is streamed to disk, hashed on the way (services/image-files.ts), never buffered.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  app.post<{ Body: { manifest: string } }>('/firmware', { config: { access: { role: 'operator' } }, schema: S.addManifest }, async (request, reply) => {
    const bytes = Buffer.from(request.body.manifest, 'base64');
    const { record, warnings } = await services.firmware.addManifest(new Uint8Array(bytes), maxImageBytes);
    request.log.info({ sha256: record.sha256, version: record.version, board: record.board, keyId: record.keyId }, 'manifest registered');
    reply.code(201);
    return { firmware: view(record), uploadPath: imagePath(record.sha256), warnings };
  });

  app.get('/firmware', { config: { access: { role: 'viewer' } }, schema: S.list }, async () => ({ firmware: (await services.ctx.store.listFirmware()).map(view) }));

  app.get<{ Params: { sha256: string } }>('/firmware/:sha256', { config: { access: { role: 'viewer' } }, schema: S.get },
    async (request) => view(await services.firmware.get(request.params.sha256)));

  app.put<{ Params: { sha256: string }; Body: Readable }>('/firmware/:sha256/image', {
    config: { access: { role: 'operator' }, rawBody: true }, schema: S.upload,
  }, async (request) => {
    const record = await services.firmware.get(request.params.sha256);
    const declared = request.headers['content-length'];
    if (declared !== undefined && Number(declared) !== record.size) {
      throw new ServerError('ERR_IMAGE_MISMATCH', `Content-Length ${declared}, the manifest says ${record.size}`);
    }
    if (!(request.body !== null && typeof request.body === 'object' && typeof (request.body as Readable).pipe === 'function')) {
      throw new ServerError('ERR_MEDIA_TYPE', 'send the image as application/octet-stream');
    }
    const stored = await services.firmware.storeImage(record.sha256, request.body);
    request.log.info({ sha256: stored.sha256, size: stored.size }, 'image stored');
    return view(stored);
  });

  app.get<{ Params: { sha256: string } }>('/firmware/:sha256/image', {
    config: { access: { role: 'viewer', device: 'offered' } }, schema: S.download,
  }, async (request, reply) => {
    const record = await services.firmware.get(request.params.sha256);
    if (record.imageStoredAtMs === null) throw new ServerError('ERR_IMAGE_MISSING', record.sha256);
    const etag = `"${record.sha256}"`;
    reply.header('etag', etag).header('accept-ranges', 'bytes')
      .header('last-modified', new Date(record.imageStoredAtMs).toUTCString())
      // Content-addressed: the bytes behind this URL never change.
      .header('cache-control', 'private, max-age=31536000, immutable');
    const decision = decide({
      method: request.method, range: request.headers.range, ifRange: request.headers['if-range'] as string | undefined,
      ifNoneMatch: request.headers['if-none-match'],
    }, { etag, size: record.size, lastModifiedMs: record.imageStoredAtMs });
    const principal = principalOf(request);
    const offer = firmwareOfferOf(request);
    if (principal.kind === 'device' && offer !== undefined && request.method === 'GET') await services.rollouts.onDownload(principal.device.id, offer);
    switch (decision.kind) {
      case 'not-modified':
        return reply.code(304).send();
      case 'unsatisfiable':
        reply.header('content-range', `bytes */${record.size}`);
        throw new ServerError('ERR_RANGE_NOT_SATISFIABLE', `image has ${record.size} bytes`);
      case 'partial': {
        const length = decision.end - decision.start + 1;
        reply.code(206).header('content-range', `bytes ${decision.start}-${decision.end}/${record.size}`).header('content-length', length)
          .type('application/octet-stream');
        return reply.send(request.method === 'HEAD' ? emptyStream() : services.ctx.images.read(record.sha256, decision));
      }
      case 'full':
        reply.header('content-length', record.size).type('application/octet-stream');
        return reply.send(request.method === 'HEAD' ? emptyStream() : services.ctx.images.read(record.sha256));
    }
  });

  app.delete<{ Params: { sha256: string } }>('/firmware/:sha256', { config: { access: { role: 'operator' } }, schema: S.remove }, async (request, reply) => {
    await services.firmware.remove(request.params.sha256);
    request.log.info({ sha256: request.params.sha256 }, 'firmware deleted');
    reply.code(204);
  });
};

export default firmware;
