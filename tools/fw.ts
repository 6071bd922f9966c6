/**
 * Release tool for signed firmware (docs/ota.md). The private key stays with whoever builds the
 * release: neither the server nor a device ever sees it.
 *
 *   npm run fw -- keygen [--out dir] [--name base] [--force]
 *   npm run fw -- sign <image> --version 1.2.3 --security-version 2 --board esp32s3 --key <private.pem>
 *                     [--path /v1/firmware/<sha256>/image] [--min-battery 3.5] [--out file]
 *   npm run fw -- verify <manifest> --pub <public.pem|hex> [--image <image>]
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import {
  createNobleCrypto, isFirmwareError, keyId, parseSignedManifest, signManifest, verifySignedManifest, type FirmwareManifest,
} from '../firmware/index.js';

const SPKI_PREFIX_LENGTH = 12; // 302a300506032b6570032100

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The image download path the OTA server serves (ota-server/services/firmware.ts). */
export function defaultImagePath(sha256: Uint8Array): string {
  return `/v1/firmware/${hex(sha256)}/image`;
}

export function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_PREFIX_LENGTH));
}

/** A public key from a PEM file, a file holding 64 hex digits, or 64 hex digits. */
export function loadPublicKey(spec: string): Uint8Array {
  const text = existsSync(spec) ? readFileSync(spec, 'utf8').trim() : spec.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return new Uint8Array(Buffer.from(text, 'hex'));
  const key = createPublicKey(text);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${spec} is not an Ed25519 public key`);
  return rawPublicKey(key);
}

export function loadPrivateKey(path: string, warn: (line: string) => void = () => undefined): KeyObject {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) warn(`warning: ${path} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  const key = createPrivateKey(readFileSync(path, 'utf8'));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${path} is not an Ed25519 private key`);
  return key;
}

export interface KeygenResult { privatePath: string; publicPath: string; publicKeyHex: string; kidHex: string }

/** Writes <name>.key (PKCS#8 PEM, mode 0600) and <name>.pub (SPKI PEM); never overwrites unless forced. */
export function keygen(outDir: string, options: { name?: string; force?: boolean } = {}): KeygenResult {
  mkdirSync(outDir, { recursive: true });
  const base = options.name ?? 'firmware-signing';
  const privatePath = join(outDir, `${base}.key`);
  const publicPath = join(outDir, `${base}.pub`);
  if (!options.force) {
    for (const p of [privatePath, publicPath]) if (existsSync(p)) throw new Error(`${p} exists (use --force to replace it)`);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const flag = options.force ? 'w' : 'wx';
  writeFileSync(privatePath, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag });
  chmodSync(privatePath, 0o600); // mode applies only on creation; --force may reuse a file
  writeFileSync(publicPath, publicKey.export({ format: 'pem', type: 'spki' }), { mode: 0o644, flag });
  const raw = rawPublicKey(publicKey);
  return { privatePath, publicPath, publicKeyHex: hex(raw), kidHex: hex(keyId(raw, createNobleCrypto())) };
}

export interface SignOptions {
  version: string;
  securityVersion: number;
  board: string;
  key: string;
  path?: string;
  minBattery?: number;
  out?: string;
}

export function signImage(imagePath: string, options: SignOptions, warn?: (line: string) => void): { out: string; manifest: FirmwareManifest; bytes: Uint8Array } {
  const image = readFileSync(imagePath);
  const privateKey = loadPrivateKey(options.key, warn);
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  const sha256 = new Uint8Array(createHash('sha256').update(image).digest());
  const manifest: FirmwareManifest = {
    version: options.version,
    securityVersion: options.securityVersion,
    board: options.board,
    size: image.length,
    sha256,
    path: options.path ?? defaultImagePath(sha256),
  };
  if (options.minBattery !== undefined) manifest.minBatteryVolts = options.minBattery;
  const bytes = signManifest(manifest, (tbs) => new Uint8Array(nodeSign(null, tbs, privateKey)), { kid: keyId(publicKey, createNobleCrypto()) });
  // Check the result the way a device will, before anyone ships it.
  verifySignedManifest(bytes, [publicKey], createNobleCrypto());
  const out = options.out ?? `${imagePath}.manifest.cose`;
  writeFileSync(out, bytes);
  return { out, manifest, bytes };
}

export interface VerifyReport {
  ok: boolean;
  code?: string;
  message?: string;
  manifest?: Record<string, unknown>;
  image?: { size: number; sha256: string; matches: boolean };
}

export function verifyFiles(manifestPath: string, pub: string, imagePath?: string): VerifyReport {
  const bytes = new Uint8Array(readFileSync(manifestPath));
  let manifest: FirmwareManifest;
  try {
    manifest = verifySignedManifest(bytes, [loadPublicKey(pub)], createNobleCrypto()).manifest;
  } catch (error) {
    if (!isFirmwareError(error)) throw error;
    let shown: Record<string, unknown> | undefined;
    try {
      shown = describe(parseSignedManifest(bytes).manifest);
    } catch {
      shown = undefined;
    }
    return { ok: false, code: error.code, message: error.message, ...(shown === undefined ? {} : { manifest: shown }) };
  }
  const report: VerifyReport = { ok: true, manifest: describe(manifest) };
  if (imagePath !== undefined) {
    const image = readFileSync(imagePath);
    const sha = createHash('sha256').update(image).digest('hex');
    const matches = image.length === manifest.size && sha === hex(manifest.sha256);
    report.image = { size: image.length, sha256: sha, matches };
    if (!matches) {
      report.ok = false;
      report.code = image.length === manifest.size ? 'ERR_OTA_HASH' : 'ERR_OTA_SIZE';
      report.message = `image ${basename(imagePath)} does not match the manifest`;
    }
  }
  return report;
}

function describe(m: FirmwareManifest): Record<string, unknown> {
  return { ...m, sha256: hex(m.sha256) };
}

function parseUint(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new InvalidArgumentError('expected an unsigned 32-bit integer');
  return Number(value);
}

function parseVolts(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v < 0 || v > 65.535) throw new InvalidArgumentError('expected volts, e.g. 3.5');
  return v;
}

export function createProgram(io: { out: (s: string) => void; err: (s: string) => void } = {
  out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s),
}): Command {
  const program = new Command().name('fw').description('sign and check firmware releases (Ed25519, COSE_Sign1)');
  program.configureOutput({ writeOut: io.out, writeErr: io.err });
  program.command('keygen')
    .description('create an Ed25519 signing key pair (private key file mode 0600)')
    .option('--out <dir>', 'directory for the key files', '.')
    .option('--name <base>', 'file name base', 'firmware-signing')
    .option('--force', 'replace existing key files')
    .action((o: { out: string; name: string; force?: boolean }) => {
      const r = keygen(resolve(o.out), { name: o.name, force: o.force === true });
      io.out(`private key ${r.privatePath} (keep it off the server)\npublic key  ${r.publicPath}\npublic key hex ${r.publicKeyHex}\nkid ${r.kidHex}\n`);
    });
  program.command('sign <image>')
    .description('write <image>.manifest.cose: the signed manifest of an image')
    .requiredOption('--version <semver>', 'firmware version (semver)')
    .requiredOption('--security-version <n>', 'anti-rollback security version', parseUint)
    .requiredOption('--board <id>', 'board id the image is built for')
    .requiredOption('--key <private.pem>', 'Ed25519 private key (PKCS#8 PEM)')
    .option('--path <path>', 'download path (default: the OTA server\'s /v1/firmware/<sha256>/image)')
    .option('--min-battery <volts>', 'do not start the update below this battery voltage', parseVolts)
    .option('--out <file>', 'manifest file (default <image>.manifest.cose)')
    .action((image: string, o: SignOptions) => {
      const r = signImage(image, o, (line) => io.err(`${line}\n`));
      io.out(`${r.out}: ${r.bytes.length} bytes, version ${r.manifest.version}, security version ${r.manifest.securityVersion}, board ${r.manifest.board}, ${r.manifest.size} bytes sha256 ${hex(r.manifest.sha256)}\n`);
    });
  program.command('verify <manifest>')
    .description('check a signed manifest (and optionally its image) against a public key')
    .requiredOption('--pub <public>', 'Ed25519 public key: PEM file, hex file or 64 hex digits')
    .option('--image <image>', 'the image the manifest describes')
    .action((manifest: string, o: { pub: string; image?: string }) => {
      const r = verifyFiles(manifest, o.pub, o.image);
      io.out(`${JSON.stringify(r, null, 2)}\n`);
      if (!r.ok) process.exitCode = 1;
    });
  return program;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await createProgram().parseAsync(process.argv);
  } catch (error) {
    process.stderr.write(`fw: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
