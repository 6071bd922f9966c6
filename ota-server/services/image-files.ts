/**
 * Firmware images on disk, content-addressed: `<dataDir>/firmware/<sha256 hex>`. An upload is
 * streamed to a temporary file while it is hashed and counted, and renamed into place only when
 * its size and SHA-256 match the manifest, so a reader never sees a partial image and a file's
 * name always is its hash. Several server instances on one PostgreSQL need this directory on
 * shared storage.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, type ReadStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ServerError } from '../errors.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class ImageFiles {
  readonly #dir: string;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'firmware');
    mkdirSync(this.#dir, { recursive: true });
  }

  #path(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error('not a SHA-256 hex digest');
    return join(this.#dir, sha256);
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.#path(sha256))).size;
    } catch {
      return undefined;
    }
  }

  /** Streams `body` to disk; refuses (ERR_IMAGE_MISMATCH) anything but exactly `size` bytes hashing to `sha256`. */
  async store(sha256: string, size: number, body: Readable): Promise<void> {
    const temp = join(this.#dir, `.upload-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let received = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > size) {
          done(new ServerError('ERR_IMAGE_MISMATCH', `more than the manifest's ${size} bytes`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(temp, { flags: 'wx' }));
      if (received !== size) throw new ServerError('ERR_IMAGE_MISMATCH', `${received} bytes, the manifest says ${size}`);
      const digest = hash.digest('hex');
      if (digest !== sha256) throw new ServerError('ERR_IMAGE_MISMATCH', `SHA-256 ${digest} is not the manifest's`);
      await rename(temp, this.#path(sha256));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Inclusive byte range. */
  read(sha256: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.#path(sha256), range === undefined ? {} : { start: range.start, end: range.end });
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.#path(sha256), { force: true });
  }
}
