/** The CLI's happy path against the real server: an operator runs a rollout step by step (docs/server.md). */
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctl } from './cli/run.js';
import { checkIn, configDocument, image, manifestFor, sha256Hex, signingKey } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

describe('ctl against the server', () => {
  let h: Harness;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'ctl-'));
  const key = signingKey(21);
  const img = image(300_000, 21);
  const sha = sha256Hex(img);
  let rolloutId: string;

  beforeAll(async () => {
    h = await startHarness('sqlite');
    env = { OTA_URL: h.url, OTA_TOKEN: h.adminToken };
    writeFileSync(join(dir, 'app.bin'), img);
    writeFileSync(join(dir, 'app.cose'), manifestFor(img, key, { version: '2.1.0' }));
    writeFileSync(join(dir, 'release.pub'), key.publicKey);
    writeFileSync(join(dir, 'devices.csv'), 'id,board,tags\nlab-1,esp32-c3,lab\nlab-2,esp32-c3,lab;roof\n');
    writeFileSync(join(dir, 'lab.json'), JSON.stringify(configDocument(900_000)));
  });
  afterAll(async () => { await h.close(); });

  it('whoami, tokens create/list/revoke', async () => {
    expect((await ctl(['whoami', '--json'], env)).json().role).toBe('admin');
    const created = await ctl(['tokens', 'create', 'ci', '--role', 'viewer'], env);
    expect(created.code).toBe(0);
    const secret = /Token \(shown once\):\n\s+(\S+)/.exec(created.stdout)![1]!;
    expect((await ctl(['whoami', '--json', '--token', secret], env)).json()).toMatchObject({ role: 'viewer', name: 'ci' });
    const list = await ctl(['tokens', 'list'], env);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+ROLE/);
    expect(list.stdout).toContain('ci');
    const id = (await ctl(['tokens', 'list', '--json'], env)).json().find((t: { name: string }) => t.name === 'ci').id;
    expect((await ctl(['tokens', 'revoke', id], env)).code).toBe(0);
    const refused = await ctl(['whoami', '--token', secret], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('401 ERR_AUTH_INVALID');
  });

  it('adds a key and uploads firmware with a progress bar', async () => {
    expect((await ctl(['keys', 'add', 'release', join(dir, 'release.pub')], env)).stdout).toContain(key.publicKeyHex);
    // A PEM public key (what `npm run fw -- keygen` writes) works too.
    const other = signingKey(22);
    const pem = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), other.publicKey]), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' });
    writeFileSync(join(dir, 'other.pem'), pem);
    expect((await ctl(['keys', 'add', 'other', join(dir, 'other.pem'), '--json'], env)).json().publicKey).toBe(other.publicKeyHex);
    const up = await ctl(['firmware', 'upload', join(dir, 'app.bin'), '--manifest', join(dir, 'app.cose')], env);
    expect(up.code).toBe(0);
    expect(up.stderr).toMatch(/upload \[.*\] 100% 300000\/300000 bytes/);
    expect(up.stdout).toMatch(new RegExp(`sha256\\s+${sha}`));
    const again = await ctl(['firmware', 'upload', join(dir, 'app.bin'), '--manifest', join(dir, 'app.cose'), '--json'], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already on the server');
    expect((await ctl(['firmware', 'list', '--json'], env)).json()[0]).toMatchObject({ sha256: sha, version: '2.1.0' });
  });

  it('registers and imports devices, printing claim secrets once', async () => {
    const one = await ctl(['devices', 'register', 'lab-0', '--board', 'esp32-c3', '--tag', 'lab'], env);
    expect(one.stdout).toMatch(/Claim secret \(shown once\):\n\s+ota_clm_/);
    const imported = await ctl(['devices', 'import', join(dir, 'devices.csv'), '--json'], env);
    expect(imported.json().map((d: { id: string }) => d.id)).toEqual(['lab-1', 'lab-2']);
    expect((await ctl(['devices', 'list', '--tag', 'lab'], env)).stdout.split('\n').filter((l) => l.startsWith('lab-')).length).toBe(3);
  });

  it('sets and reads config', async () => {
    expect((await ctl(['config', 'set', 'tag:lab', join(dir, 'lab.json')], env)).code).toBe(0);
    expect((await ctl(['config', 'get', 'tag:lab', '--json'], env)).json().document.checkInPeriodMs).toBe(900_000);
    expect((await ctl(['config', 'list'], env)).stdout).toContain('tag:lab');
    expect((await ctl(['config', 'history', 'tag:lab', '--json'], env)).json()).toHaveLength(1);
    const bad = await ctl(['config', 'get', 'nonsense'], env);
    expect(bad.code).toBe(2);
  });

  it('runs a rollout: create, status, pause, resume, advance, abort', async () => {
    const created = await ctl(['rollout', 'create', '--firmware', sha, '--tag', 'lab', '--stages', '50,100', '--threshold', '0.2', '--min-sample', '2', '--json'], env);
    expect(created.code).toBe(0);
    rolloutId = created.json().id;
    const tokens: string[] = [];
    for (const id of ['lab-0', 'lab-1', 'lab-2']) {
      const claim = (await ctl(['devices', 'reset-claim', id, '--json'], env)).json().claimSecret;
      const token = (await h.request('POST', '/v1/provision', { json: { deviceId: id, claimSecret: claim } })).json().deviceToken;
      tokens.push(token);
      await checkIn(h, token, id);
    }
    const status = await ctl(['rollout', 'status', rolloutId], env);
    expect(status.stdout).toMatch(/stage\s+1 of 2 \(50 %\)/);
    expect(status.stdout).toMatch(/cohort\s+\d of 3 targeted devices/);
    expect(status.stdout).toMatch(/OFFERED\s+DOWNLOADING/);
    expect((await ctl(['rollout', 'pause', rolloutId, '--reason', 'looking'], env)).stdout).toMatch(/state\s+paused/);
    expect((await ctl(['rollout', 'list', '--state', 'paused'], env)).stdout).toContain(rolloutId);
    const refused = await ctl(['rollout', 'advance', rolloutId], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('409 ERR_ROLLOUT_STATE');
    expect((await ctl(['rollout', 'resume', rolloutId], env)).code).toBe(0);
    expect((await ctl(['rollout', 'advance', rolloutId, '--json'], env)).json().stageIndex).toBe(1);
    for (const [i, id] of ['lab-0', 'lab-1', 'lab-2'].entries()) await checkIn(h, tokens[i]!, id);
    expect((await ctl(['rollout', 'devices', rolloutId, '--json'], env)).json()).toHaveLength(3);
    expect((await ctl(['firmware', 'delete', sha], env)).stderr).toContain('ERR_FIRMWARE_IN_USE');
    expect((await ctl(['rollout', 'abort', rolloutId], env)).stdout).toMatch(/state\s+aborted/);
  });

  it('manages devices and refuses bad usage with status 2', async () => {
    expect((await ctl(['devices', 'tags', 'lab-2', 'roof'], env)).stdout).toMatch(/tags\s+roof/);
    expect((await ctl(['devices', 'show', 'lab-2', '--json'], env)).json().rollouts[0].rolloutId).toBe(rolloutId);
    expect((await ctl(['devices', 'delete', 'lab-2'], env)).code).toBe(0);
    expect((await ctl(['devices', 'show', 'lab-2'], env)).code).toBe(1);
    expect((await ctl(['devices', 'register', 'x'], env)).code).toBe(2);
    expect((await ctl(['rollout', 'create', '--firmware', sha, '--stages', 'a,b', '--threshold', '0.1', '--min-sample', '1'], env)).code).toBe(2);
    expect((await ctl(['nonsense'], env)).code).toBe(2);
  });
});
