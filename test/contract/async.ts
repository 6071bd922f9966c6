/**
 * A port whose methods may answer through a promise: the contract suites await every call, so
 * the same suite runs against a port in this process and against one inside an XS worker,
 * reached through hosts/xs (test/hosts/xs/ports-contract.test.ts).
 */
export type MaybeAsync<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => R | Promise<R> : T[K];
};

/** The FirmwareError code a call fails with, 'not a FirmwareError', or undefined when it succeeds. */
export async function failureCode(call: () => unknown): Promise<string | undefined> {
  try {
    await call();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' && code.startsWith('ERR_') ? code : 'not a FirmwareError';
  }
  return undefined;
}
