/**
 * Types for the part of @agoric/xsnap 0.15 that hosts/xs uses (the package ships JSDoc only).
 * Source: node_modules/@agoric/xsnap/src/xsnap.js.
 */
declare module '@agoric/xsnap' {
  export interface XsnapMeterUsage {
    meterType: string;
    /** Computrons used by the crank (one evaluate or issueCommand). */
    compute: number | null;
    /** the->allocatedSpace: bytes the XS machine has allocated for its chunk and slot heaps. */
    allocate: number | null;
    /** Heap slots in use after the crank (fxGetCurrentHeapCount). */
    currentHeapCount: number | null;
    timestamps: number[] | null;
  }
  export interface XsnapRunResult<T> { reply: T; meterUsage: XsnapMeterUsage }
  export interface XsnapWorker {
    evaluate(code: string): Promise<XsnapRunResult<Uint8Array>>;
    issueCommand(message: Uint8Array): Promise<XsnapRunResult<Uint8Array>>;
    issueStringCommand(message: string): Promise<XsnapRunResult<string>>;
    isReady(): Promise<void>;
    close(): Promise<void>;
    terminate(): Promise<void>;
  }
  export interface XsnapOptions {
    os: string;
    spawn: unknown;
    fs: unknown;
    name?: string;
    handleCommand?: (request: Uint8Array) => Promise<Uint8Array> | Uint8Array;
    debug?: boolean;
    meteringLimit?: number;
    stdout?: 'ignore' | 'inherit' | 'pipe';
    stderr?: 'ignore' | 'inherit' | 'pipe';
    parserBufferSize?: number;
    netstringMaxChunkSize?: number;
    snapshotUseFs?: boolean;
    env?: Record<string, string>;
  }
  export function xsnap(options: XsnapOptions): Promise<XsnapWorker>;
  export const ExitCode: Readonly<Record<string, number>>;
}
