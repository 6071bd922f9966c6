/** Runs the CLI in-process with captured output. */
import { PassThrough } from 'node:stream';
import { runCtl } from '../../../ota-server/cli/ctl.js';

export interface CtlResult { code: number; stdout: string; stderr: string; json<T = any>(): T } // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience

export async function ctl(argv: string[], env: Record<string, string | undefined>): Promise<CtlResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const code = await runCtl(argv, { stdout, stderr, env });
  return { code, stdout: out, stderr: err, json: () => JSON.parse(out) };
}
