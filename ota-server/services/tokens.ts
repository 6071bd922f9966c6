/** API tokens and who a bearer token belongs to. */
import { generateSecret, hashSecret, randomId, TOKEN_PREFIX } from '../auth/secrets.js';
import type { ApiRole, ApiTokenRecord, DeviceIdentity } from '../store/types.js';
import type { ServiceContext } from './context.js';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'api'; token: ApiTokenRecord }
  | { kind: 'device'; device: DeviceIdentity };

export const ROLE_RANK: Readonly<Record<ApiRole, number>> = Object.freeze({ viewer: 1, operator: 2, admin: 3 });

export class TokenService {
  readonly #ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
  }

  async create(name: string, role: ApiRole): Promise<{ record: ApiTokenRecord; token: string }> {
    const token = generateSecret('api');
    const record: ApiTokenRecord = { id: randomId('tok_'), name, role, createdAtMs: this.#ctx.now(), revokedAtMs: null };
    await this.#ctx.store.createApiToken(record, hashSecret(token));
    return { record, token };
  }

  /** Undefined for an unknown, revoked or malformed token. */
  async authenticate(bearer: string): Promise<Principal | undefined> {
    const hash = hashSecret(bearer);
    if (bearer.startsWith(TOKEN_PREFIX.device)) {
      // Asked of the store every time, never cached here: a fleet's devices rarely repeat
      // within any useful cache lifetime, and a revoked token must stop working at once on
      // every instance. (The SQLite store answers from its own exact index: store/device-index.ts.)
      const device = await this.#ctx.store.findDeviceByTokenHash(hash);
      return device === undefined ? undefined : { kind: 'device', device };
    }
    const token = await this.#ctx.store.findApiTokenByHash(hash);
    return token === undefined ? undefined : { kind: 'api', token };
  }

  /**
   * First start: make sure an admin can log in. With OTA_ADMIN_TOKEN set, that token is
   * (re)registered as the admin token 'bootstrap'; otherwise, if no live admin token exists,
   * one is generated and returned so main.ts prints it once. Later starts return undefined.
   */
  async bootstrapAdmin(fromEnv: string | undefined): Promise<string | undefined> {
    const store = this.#ctx.store;
    if (fromEnv !== undefined && fromEnv !== '') {
      if (fromEnv.length < 16) throw new Error('OTA_ADMIN_TOKEN must be at least 16 characters');
      if (fromEnv.startsWith(TOKEN_PREFIX.device)) throw new Error(`OTA_ADMIN_TOKEN must not start with ${TOKEN_PREFIX.device}`);
      if ((await store.findApiTokenByHash(hashSecret(fromEnv))) === undefined) {
        await store.createApiToken({ id: randomId('tok_'), name: 'bootstrap (OTA_ADMIN_TOKEN)', role: 'admin', createdAtMs: this.#ctx.now(), revokedAtMs: null },
          hashSecret(fromEnv));
      }
      return undefined;
    }
    if ((await store.countLiveAdminTokens()) > 0) return undefined;
    return (await this.create('bootstrap', 'admin')).token;
  }
}
