/**
 * `npm run ctl -- ...`: the operator's command line for the OTA server. Tables for people,
 * `--json` for scripts (one JSON document on stdout). Server URL and token from --url/--token
 * or OTA_URL/OTA_TOKEN. Exit status: 0 done, 1 the server refused or failed, 2 usage error.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ApiClient, ApiError, expectShape } from './client.js';
import { pairs, table } from './format.js';

export interface CtlIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

interface GlobalOptions {
  url: string;
  token?: string;
  json: boolean;
  timeout: number;
  retries: number;
  progress: boolean;
}

/** What a command prints: the JSON for scripts, the text for people. */
interface Output {
  json: unknown;
  text: string;
}

type Rec = Record<string, unknown>;

const ROLES = ['viewer', 'operator', 'admin'];
const ROLLOUT_COLUMNS = ['id', 'state', 'board', 'tags', 'stages', 'stageIndex', 'firmwareSha256', 'stateReason'];

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function number01(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number in [0, 1]');
  return n;
}

function stageList(value: string): number[] {
  const stages = value.split(',').map((s) => Number(s.trim()));
  if (stages.length === 0 || stages.some((s) => !Number.isFinite(s))) throw new InvalidArgumentError('expected percentages like 1,5,25,100');
  return stages;
}

/** `fleet`, `tag:<name>` or `device:<id>` to the API path. */
function configPath(scope: string): string {
  if (scope === 'fleet') return '/v1/config/fleet';
  const m = /^(tag|device):(.+)$/.exec(scope);
  if (m === null) throw new InvalidArgumentError('scope is fleet, tag:<name> or device:<id>');
  return `/v1/config/${m[1]}/${encodeURIComponent(m[2]!)}`;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function buildProgram(io: CtlIo, done: (output: Output) => void): Command {
  const program = new Command('ctl')
    .description('Operate the OTA server: tokens, devices, keys, firmware, rollouts, config')
    .addOption(new Option('--url <url>', 'server URL').env('OTA_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'API token').env('OTA_TOKEN'))
    .option('--json', 'print JSON for scripts', false)
    .option('--timeout <ms>', 'per-request timeout', nonNegativeInt, 10_000)
    .option('--retries <n>', 'extra attempts for reads on 502/503/504, network errors and timeouts', nonNegativeInt, 2)
    .option('--no-progress', 'no upload progress bar')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError();

  // commander reads .env() from process.env; tests pass their own env.
  for (const [name, env] of [['url', 'OTA_URL'], ['token', 'OTA_TOKEN']] as const) {
    const value = io.env[env];
    if (value !== undefined && value !== '') program.setOptionValueWithSource(name, value, 'env');
  }

  const client = (): ApiClient => {
    const o = program.opts<GlobalOptions>();
    return new ApiClient({ baseUrl: o.url, token: o.token, timeoutMs: o.timeout, retries: o.retries, backoffMs: Number(io.env.OTA_CTL_BACKOFF_MS ?? 250) });
  };
  const act = <A extends unknown[]>(fn: (api: ApiClient, ...args: A) => Promise<Output>) =>
    async (...args: A): Promise<void> => done(await fn(client(), ...args));

  // ---- whoami
  program.command('whoami').description('who the token is').action(act(async (api) => {
    const me = expectShape<Rec>(await api.request('GET', '/v1/whoami'), 'whoami', { id: 'string', role: 'string' });
    return { json: me, text: pairs(me, ['id', 'name', 'role']) };
  }));

  // ---- tokens
  const tokens = program.command('tokens').description('API tokens (admin)');
  tokens.command('create <name>').description('create a token; its secret is shown once')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
    .action(act(async (api, name: string, o: { role: string }) => {
      const t = expectShape<Rec>(await api.request('POST', '/v1/tokens', { json: { name, role: o.role } }), 'token', { id: 'string', token: 'string' });
      return { json: t, text: `${pairs(t, ['id', 'name', 'role'])}\nToken (shown once):\n  ${String(t.token)}\n` };
    }));
  tokens.command('list').description('list tokens').action(act(async (api) => {
    const r = expectShape<{ tokens: Rec[] }>(await api.request('GET', '/v1/tokens'), 'tokens', { tokens: 'array' });
    return { json: r.tokens, text: table(r.tokens, ['id', 'name', 'role', 'createdAtMs', 'revokedAtMs']) };
  }));
  tokens.command('revoke <id>').description('revoke a token').action(act(async (api, id: string) => {
    await api.request('DELETE', `/v1/tokens/${encodeURIComponent(id)}`);
    return { json: { id, revoked: true }, text: `revoked ${id}\n` };
  }));

  // ---- devices
  const devices = program.command('devices').description('device registry (admin writes)');
  devices.command('register <id>').description('register a device; prints its one-time claim secret')
    .requiredOption('--board <board>', 'board id')
    .option('--tag <tag...>', 'tags', [])
    .action(act(async (api, id: string, o: { board: string; tag: string[] }) => {
      const d = expectShape<Rec>(await api.request('POST', '/v1/devices', { json: { id, board: o.board, tags: o.tag } }), 'device', { id: 'string', claimSecret: 'string' });
      return { json: d, text: `${pairs(d, ['id', 'board', 'tags'])}\nClaim secret (shown once):\n  ${String(d.claimSecret)}\n` };
    }));
  devices.command('import <file>').description('register devices from CSV (id,board,tags) or JSON ([{id,board,tags}] or {devices:[...]}); prints claim secrets')
    .action(act(async (api, file: string) => {
      const text = await readFile(file, 'utf8');
      const trimmed = text.trimStart();
      const body = trimmed.startsWith('[') || trimmed.startsWith('{')
        ? { json: ((): unknown => { const v = JSON.parse(text) as unknown; return Array.isArray(v) ? { devices: v } : v; })() }
        : { body: text, contentType: 'text/csv' };
      const r = expectShape<{ devices: Rec[] }>(await api.request('POST', '/v1/devices/import', body), 'import', { devices: 'array' });
      return { json: r.devices, text: `${table(r.devices, ['id', 'board', 'tags', 'claimSecret'])}(claim secrets are shown once)\n` };
    }));
  devices.command('list').description('list devices')
    .option('--board <board>').option('--tag <tag>').option('--limit <n>', 'at most', nonNegativeInt, 100)
    .action(act(async (api, o: { board?: string; tag?: string; limit: number }) => {
      const q = new URLSearchParams({ limit: String(o.limit) });
      if (o.board !== undefined) q.set('board', o.board);
      if (o.tag !== undefined) q.set('tag', o.tag);
      const r = expectShape<{ devices: Rec[] }>(await api.request('GET', `/v1/devices?${q}`), 'devices', { devices: 'array' });
      const rows = r.devices.map((d) => ({ ...d, firmware: (d.status as Rec | null)?.firmwareVersion, battery: (d.status as Rec | null)?.batteryVolts }));
      return { json: r.devices, text: table(rows, ['id', 'board', 'tags', 'firmware', 'battery', 'lastSeenAtMs']) };
    }));
  devices.command('show <id>').description('one device with its rollout states').action(act(async (api, id: string) => {
    const d = expectShape<Rec>(await api.request('GET', `/v1/devices/${encodeURIComponent(id)}`), 'device', { id: 'string', rollouts: 'array' });
    return { json: d, text: pairs(d, ['id', 'board', 'tags', 'claimedAtMs', 'lastSeenAtMs', 'status']) + table(d.rollouts as Rec[], ['rolloutId', 'state', 'reason', 'updatedAtMs']) };
  }));
  devices.command('tags <id> [tags...]').description('replace a device\'s tags').action(act(async (api, id: string, tags: string[]) => {
    const d = expectShape<Rec>(await api.request('PATCH', `/v1/devices/${encodeURIComponent(id)}`, { json: { tags } }), 'device', { id: 'string' });
    return { json: d, text: pairs(d, ['id', 'board', 'tags']) };
  }));
  devices.command('delete <id>').description('delete a device').action(act(async (api, id: string) => {
    await api.request('DELETE', `/v1/devices/${encodeURIComponent(id)}`);
    return { json: { id, deleted: true }, text: `deleted ${id}\n` };
  }));
  devices.command('reset-claim <id>').description('new claim secret (re-provisioning); revokes the device token').action(act(async (api, id: string) => {
    const r = expectShape<Rec>(await api.request('POST', `/v1/devices/${encodeURIComponent(id)}/claim`), 'claim', { claimSecret: 'string' });
    return { json: r, text: `Claim secret for ${id} (shown once):\n  ${String(r.claimSecret)}\n` };
  }));

  // ---- keys
  const keys = program.command('keys').description('trusted release keys (public keys only)');
  keys.command('add <name> <publicKey>').description('trust an Ed25519 public key: 64 hex digits, or a file with a PEM key (npm run fw -- keygen), 64 hex digits or the 32 raw bytes')
    .action(act(async (api, name: string, publicKey: string) => {
      let hex = publicKey;
      if (!/^[0-9a-fA-F]{64}$/.test(publicKey)) {
        const raw = await readFile(publicKey);
        const text = raw.toString('utf8').trim();
        if (text.startsWith('-----BEGIN')) {
          // SPKI DER of Ed25519 ends with the 32-byte key (RFC 8410).
          hex = createPublicKey(text).export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
        } else {
          hex = raw.length === 32 ? raw.toString('hex') : text;
        }
      }
      const k = expectShape<Rec>(await api.request('POST', '/v1/keys', { json: { name, publicKey: hex } }), 'key', { id: 'string' });
      return { json: k, text: pairs(k, ['id', 'name', 'publicKey']) };
    }));
  keys.command('list').description('trusted keys').action(act(async (api) => {
    const r = expectShape<{ keys: Rec[] }>(await api.request('GET', '/v1/keys'), 'keys', { keys: 'array' });
    return { json: r.keys, text: table(r.keys, ['id', 'name', 'publicKey', 'revokedAtMs']) };
  }));
  keys.command('revoke <id>').description('stop trusting a key').action(act(async (api, id: string) => {
    await api.request('DELETE', `/v1/keys/${encodeURIComponent(id)}`);
    return { json: { id, revoked: true }, text: `revoked ${id}\n` };
  }));

  // ---- firmware
  const firmware = program.command('firmware').description('signed firmware store');
  firmware.command('upload <image>').description('register the signed manifest, then upload the image (with a progress bar)')
    .requiredOption('--manifest <file>', 'signed manifest (COSE_Sign1 bytes, as tools/fw.ts writes it)')
    .action(act(async (api, imagePath: string, o: { manifest: string }) => {
      const manifest = await readFile(o.manifest);
      const size = (await stat(imagePath)).size;
      const sha = await sha256OfFile(imagePath);
      let record: Rec;
      try {
        const r = expectShape<{ firmware: Rec; warnings: string[] }>(
          await api.request('POST', '/v1/firmware', { json: { manifest: manifest.toString('base64') } }), 'firmware', { firmware: 'object', warnings: 'array' });
        for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
        record = r.firmware;
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'ERR_FIRMWARE_EXISTS')) throw error;
        record = expectShape<Rec>(await api.request('GET', `/v1/firmware/${sha}`), 'firmware', { sha256: 'string' });
      }
      if (record.sha256 !== sha) throw new ApiError('malformed', `the manifest is for image ${String(record.sha256)}, not ${imagePath} (${sha})`);
      if (record.imageStoredAtMs === null || record.imageStoredAtMs === undefined) {
        record = expectShape<Rec>(await uploadWithProgress(api, `/v1/firmware/${sha}/image`, imagePath, size, program.opts<GlobalOptions>(), io), 'firmware', { sha256: 'string' });
      } else {
        io.stderr.write('image already on the server\n');
      }
      return { json: record, text: pairs(record, ['sha256', 'version', 'board', 'securityVersion', 'size', 'keyId', 'downloadPath']) };
    }));
  firmware.command('list').description('firmware in the store').action(act(async (api) => {
    const r = expectShape<{ firmware: Rec[] }>(await api.request('GET', '/v1/firmware'), 'firmware', { firmware: 'array' });
    return { json: r.firmware, text: table(r.firmware, ['sha256', 'version', 'board', 'size', 'imageStoredAtMs']) };
  }));
  firmware.command('show <sha256>').description('one firmware').action(act(async (api, sha: string) => {
    const f = expectShape<Rec>(await api.request('GET', `/v1/firmware/${encodeURIComponent(sha)}`), 'firmware', { sha256: 'string' });
    return { json: f, text: pairs(f, ['sha256', 'version', 'board', 'securityVersion', 'size', 'keyId', 'createdAtMs', 'imageStoredAtMs', 'downloadPath']) };
  }));
  firmware.command('delete <sha256>').description('delete firmware no live rollout uses').action(act(async (api, sha: string) => {
    await api.request('DELETE', `/v1/firmware/${encodeURIComponent(sha)}`);
    return { json: { sha256: sha, deleted: true }, text: `deleted ${sha}\n` };
  }));

  // ---- rollouts
  const rollout = program.command('rollout').description('staged rollouts (operator)');
  rollout.command('create').description('start a rollout')
    .requiredOption('--firmware <sha256>', 'firmware to roll out')
    .option('--board <board>', 'target board (default: the firmware\'s)')
    .option('--tag <tag...>', 'target tags (a device needs all of them)', [])
    .requiredOption('--stages <list>', 'fleet percentages, e.g. 1,5,25,100', stageList)
    .requiredOption('--threshold <rate>', 'pause when (failed + rolled back) / attempted exceeds this', number01)
    .requiredOption('--min-sample <n>', '...with at least this many attempts', nonNegativeInt)
    .option('--soak <seconds>', 'advance by itself after this long in a stage', nonNegativeInt)
    .action(act(async (api, o: { firmware: string; board?: string; tag: string[]; stages: number[]; threshold: number; minSample: number; soak?: number }) => {
      const body: Rec = { firmwareSha256: o.firmware, tags: o.tag, stages: o.stages, failureThreshold: o.threshold, minSample: o.minSample };
      if (o.board !== undefined) body.board = o.board;
      if (o.soak !== undefined) body.soakSeconds = o.soak;
      const r = expectShape<Rec>(await api.request('POST', '/v1/rollouts', { json: body }), 'rollout', { id: 'string', state: 'string' });
      return { json: r, text: pairs(r, ROLLOUT_COLUMNS) };
    }));
  rollout.command('list').description('rollouts').addOption(new Option('--state <state>').choices(['active', 'paused', 'completed', 'aborted']))
    .action(act(async (api, o: { state?: string }) => {
      const r = expectShape<{ rollouts: Rec[] }>(await api.request('GET', `/v1/rollouts${o.state === undefined ? '' : `?state=${o.state}`}`), 'rollouts', { rollouts: 'array' });
      return { json: r.rollouts, text: table(r.rollouts, ROLLOUT_COLUMNS) };
    }));
  rollout.command('status <id>').description('progress: stage, cohort, per-device states, failure rate').action(act(async (api, id: string) => {
    const s = expectShape<Rec>(await api.request('GET', `/v1/rollouts/${encodeURIComponent(id)}`), 'rollout', {
      id: 'string', state: 'string', counts: 'object', stagePercent: 'number', failureRate: 'number', attempted: 'number', targeted: 'number', inCohort: 'number',
    });
    const counts = s.counts as Rec;
    const text = pairs({ ...s, stage: `${Number(s.stageIndex) + 1} of ${(s.stages as number[]).length} (${String(s.stagePercent)} %)`,
      failures: `${String(s.failures)} of ${String(s.attempted)} attempted (${(Number(s.failureRate) * 100).toFixed(1)} %, pause above ${(Number(s.failureThreshold) * 100).toFixed(1)} % with ${String(s.minSample)} or more)`,
      cohort: `${String(s.inCohort)} of ${String(s.targeted)} targeted devices` },
    ['id', 'state', 'stateReason', 'firmwareVersion', 'board', 'tags', 'stage', 'cohort', 'failures']) + '\n'
      + table([counts], ['offered', 'downloading', 'installed', 'succeeded', 'failed', 'rolled_back']);
    return { json: s, text };
  }));
  rollout.command('devices <id>').description('per-device states').addOption(new Option('--state <state>').choices(['offered', 'downloading', 'installed', 'succeeded', 'failed', 'rolled_back']))
    .action(act(async (api, id: string, o: { state?: string }) => {
      const r = expectShape<{ devices: Rec[] }>(await api.request('GET', `/v1/rollouts/${encodeURIComponent(id)}/devices${o.state === undefined ? '' : `?state=${o.state}`}`), 'devices', { devices: 'array' });
      return { json: r.devices, text: table(r.devices, ['deviceId', 'state', 'reason', 'updatedAtMs']) };
    }));
  for (const [action, description] of [['advance', 'next stage (past the last: complete)'], ['pause', 'stop offering'], ['resume', 'offer again'], ['abort', 'end it; frees the target']] as const) {
    rollout.command(`${action} <id>`).description(description).option('--reason <text>', 'why (kept with the rollout)')
      .action(act(async (api, id: string, o: { reason?: string }) => {
        const r = expectShape<Rec>(await api.request('POST', `/v1/rollouts/${encodeURIComponent(id)}/${action}`, { json: o.reason === undefined ? {} : { reason: o.reason } }),
          'rollout', { id: 'string', state: 'string' });
        return { json: r, text: pairs(r, ROLLOUT_COLUMNS) };
      }));
  }

  // ---- config
  const config = program.command('config').description('remote config documents: scope is fleet, tag:<name> or device:<id>');
  config.command('set <scope> <file>').description('set a scope\'s document (JSON NodeConfig without deviceId and version)')
    .action(act(async (api, scope: string, file: string) => {
      const document = JSON.parse(await readFile(file, 'utf8')) as unknown;
      const r = expectShape<Rec>(await api.request('PUT', configPath(scope), { json: document }), 'config', { scope: 'string', version: 'number' });
      return { json: r, text: pairs(r, ['scope', 'version', 'updatedAtMs']) };
    }));
  config.command('get <scope>').description('a scope\'s document').action(act(async (api, scope: string) => {
    const r = expectShape<Rec>(await api.request('GET', configPath(scope)), 'config', { scope: 'string', version: 'number', document: 'object' });
    return { json: r, text: `${pairs(r, ['scope', 'version', 'updatedAtMs'])}${JSON.stringify(r.document, null, 2)}\n` };
  }));
  config.command('delete <scope>').description('delete a scope\'s document').action(act(async (api, scope: string) => {
    await api.request('DELETE', configPath(scope));
    return { json: { scope, deleted: true }, text: `deleted ${scope}\n` };
  }));
  config.command('list').description('documents in force').action(act(async (api) => {
    const r = expectShape<{ configs: Rec[] }>(await api.request('GET', '/v1/config'), 'configs', { configs: 'array' });
    return { json: r.configs, text: table(r.configs, ['scope', 'version', 'updatedAtMs']) };
  }));
  config.command('history <scope>').description('versions, newest first').action(act(async (api, scope: string) => {
    const r = expectShape<{ versions: Rec[] }>(await api.request('GET', `${configPath(scope)}/history`), 'history', { versions: 'array' });
    return { json: r.versions, text: table(r.versions.map((v) => ({ ...v, deleted: v.document === null })), ['version', 'createdAtMs', 'deleted']) };
  }));

  return program;
}

async function uploadWithProgress(api: ApiClient, path: string, file: string, size: number, o: GlobalOptions, io: CtlIo): Promise<unknown> {
  const bar = o.progress && !o.json
    ? new SingleBar({ stream: io.stderr, noTTYOutput: true, notTTYSchedule: 1000, format: 'upload [{bar}] {percentage}% {value}/{total} bytes' })
    : undefined;
  bar?.start(size, 0);
  let sent = 0;
  const source = createReadStream(file);
  source.on('data', (chunk) => {
    sent += chunk.length;
    bar?.update(sent);
  });
  try {
    return await api.request('PUT', path, {
      body: Readable.toWeb(source) as unknown as BodyInit, contentType: 'application/octet-stream', stream: true,
      headers: { 'content-length': String(size) },
    });
  } finally {
    bar?.stop();
    source.destroy();
  }
}

/** Runs one command line; returns the exit status. */
export async function runCtl(argv: readonly string[], io: CtlIo): Promise<number> {
  let output: Output | undefined;
  const program = buildProgram(io, (o) => { output = o; });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof InvalidArgumentError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ApiError) {
      io.stderr.write(`error: ${error.message}\n`);
      if (error.kind === 'http' && error.status === 401) io.stderr.write('hint: set --token or OTA_TOKEN\n');
      return 1;
    }
    if (error instanceof SyntaxError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      io.stderr.write(`error: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
  if (output !== undefined) {
    const o = program.opts<GlobalOptions>();
    io.stdout.write(o.json ? `${JSON.stringify(output.json, null, 2)}\n` : output.text);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runCtl(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
}
