/**
 * The real entry point (`npm run server`): first start prints an admin token once, later
 * starts do not, OTA_ADMIN_TOKEN replaces it, SIGTERM/SIGINT shut down cleanly (exit 0), and a
 * second server on a SQLite data directory in use refuses to start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Running { child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }

async function start(dataDir: string, env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'ota-server/main.ts', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--log-level', 'warn'], {
    cwd: root, env: { ...process.env, DATABASE_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const check = () => {
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m !== null) resolveUrl(m[1]!);
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  return { child, url, output: () => out, exited };
}

describe('npm run server (ota-server/main.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ota-main-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints an admin token on first start only, serves, and exits 0 on SIGTERM', async () => {
    const first = await start(join(dir, 'a'));
    const token = /Admin token[^\n]*\n\s+(ota_api_\S+)/.exec(first.output())?.[1];
    expect(token).toBeDefined();
    expect((await (await fetch(`${first.url}/healthz`)).json())).toEqual({ status: 'ok', store: 'sqlite' });
    expect((await (await fetch(`${first.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })).json()).role).toBe('admin');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await start(join(dir, 'a'));
    expect(second.output()).not.toContain('Admin token');
    expect((await fetch(`${second.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('refuses to start on a SQLite data directory another server owns, with the reason and no stack trace', async () => {
    const owner = await start(join(dir, 'c'));
    try {
      // start() rejects with the exit code and all the process wrote when it exits before listening.
      const refused = await start(join(dir, 'c')).then((second) => { second.child.kill('SIGTERM'); return 'started'; }, (error: Error) => error.message);
      expect(refused).toMatch(/^server exited \(1\): /);
      expect(refused).toMatch(/cannot open the store: SQLite database .* is in use by another server process/);
      expect(refused).toMatch(/PostgreSQL \(DATABASE_URL\)/);
      expect(refused).not.toMatch(/\n\s+at /);
      // The owner is untouched.
      expect((await fetch(`${owner.url}/healthz`)).status).toBe(200);
    } finally {
      owner.child.kill('SIGTERM');
      await owner.exited;
    }
  });

  it('takes the admin token from OTA_ADMIN_TOKEN and prints none', async () => {
    const env = { OTA_ADMIN_TOKEN: 'ota_api_from-the-environment-0123456789' };
    const s = await start(join(dir, 'b'), env);
    expect(s.output()).not.toContain('Admin token');
    expect((await fetch(`${s.url}/v1/whoami`, { headers: { authorization: `Bearer ${env.OTA_ADMIN_TOKEN}` } })).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
