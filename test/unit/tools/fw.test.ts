import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createNobleCrypto, parseSignedManifest, verifySignedManifest } from '../../../firmware/index.js';
import { createProgram, keygen, loadPublicKey, signImage, verifyFiles } from '../../../tools/fw.js';

const dir = mkdtempSync(join(tmpdir(), 'fw-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run fw', () => {
  const keys = keygen(join(dir, 'keys'));
  const image = join(dir, 'app.bin');
  writeFileSync(image, Uint8Array.from({ length: 12_345 }, (_, i) => i & 0xff));

  it('keygen writes a 0600 private key and a public key, and never overwrites silently', () => {
    expect(statSync(keys.privatePath).mode & 0o777).toBe(0o600);
    expect(readFileSync(keys.privatePath, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(loadPublicKey(keys.publicPath)).toEqual(new Uint8Array(Buffer.from(keys.publicKeyHex, 'hex')));
    expect(() => keygen(join(dir, 'keys'))).toThrow(/exists/);
    const again = keygen(join(dir, 'keys'), { force: true });
    expect(again.publicKeyHex).not.toBe(keys.publicKeyHex);
    Object.assign(keys, again);
  });

  it('sign writes <image>.manifest.cose that a device verifies', () => {
    const r = signImage(image, { version: '1.4.0', securityVersion: 3, board: 'esp32s3', key: keys.privatePath, minBattery: 3.45 });
    expect(r.out).toBe(`${image}.manifest.cose`);
    const bytes = new Uint8Array(readFileSync(r.out));
    const { manifest, envelope } = verifySignedManifest(bytes, [loadPublicKey(keys.publicPath)], createNobleCrypto());
    expect(manifest).toMatchObject({ version: '1.4.0', securityVersion: 3, board: 'esp32s3', size: 12_345, minBatteryVolts: 3.45 });
    expect(manifest.path).toBe(`/v1/firmware/${Buffer.from(manifest.sha256).toString('hex')}/image`);
    expect(Buffer.from(envelope.kid!).toString('hex')).toBe(keys.kidHex);
  });

  it('sign refuses an invalid version before writing anything', () => {
    expect(() => signImage(image, { version: 'v1', securityVersion: 1, board: 'b', key: keys.privatePath, out: join(dir, 'bad.cose') }))
      .toThrow(expect.objectContaining({ code: 'ERR_OTA_MANIFEST_MALFORMED' }));
    expect(() => statSync(join(dir, 'bad.cose'))).toThrow();
  });

  it('verify reports a good manifest, a wrong key, a tampered image', () => {
    const manifest = `${image}.manifest.cose`;
    expect(verifyFiles(manifest, keys.publicPath, image)).toMatchObject({ ok: true, image: { matches: true } });
    const other = keygen(join(dir, 'other'));
    expect(verifyFiles(manifest, other.publicKeyHex)).toMatchObject({ ok: false, code: 'ERR_OTA_MANIFEST_SIGNATURE', manifest: { version: '1.4.0' } });
    const tampered = join(dir, 'tampered.bin');
    const bytes = readFileSync(image);
    bytes[100]! ^= 1;
    writeFileSync(tampered, bytes);
    expect(verifyFiles(manifest, keys.publicPath, tampered)).toMatchObject({ ok: false, code: 'ERR_OTA_HASH' });
  });

  it('parses its command line (commander) and rejects bad numbers', async () => {
    let out = '';
    let err = '';
    const program = createProgram({ out: (s) => { out += s; }, err: (s) => { err += s; } }).exitOverride();
    await program.parseAsync(['node', 'fw', 'sign', image, '--version', '2.0.0', '--security-version', '4', '--board', 'b2', '--key', keys.privatePath, '--out', join(dir, 'cli.cose')]);
    expect(out).toContain('version 2.0.0, security version 4, board b2');
    expect(parseSignedManifest(new Uint8Array(readFileSync(join(dir, 'cli.cose')))).manifest.board).toBe('b2');
    const bad = createProgram({ out: () => undefined, err: (s) => { err += s; } }).exitOverride();
    await expect(bad.parseAsync(['node', 'fw', 'sign', image, '--version', '2.0.0', '--security-version', '-1', '--board', 'b', '--key', keys.privatePath])).rejects.toThrow();
    expect(err).toContain('unsigned 32-bit');
  });

  it('runs as a program: verify exits 1 on a bad signature', () => {
    const cli = fileURLToPath(new URL('../../../tools/fw.ts', import.meta.url));
    const ok = execFileSync(process.execPath, ['--import', 'tsx', cli, 'verify', `${image}.manifest.cose`, '--pub', keys.publicPath], { encoding: 'utf8' });
    expect(JSON.parse(ok).ok).toBe(true);
    const other = keygen(join(dir, 'third'));
    let status = 0;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', cli, 'verify', `${image}.manifest.cose`, '--pub', other.publicPath], { encoding: 'utf8' });
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).toBe(1);
  });
});
