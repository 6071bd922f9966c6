/**
 * The native functions (hosts/esp32/native/*.c, declared in the manifest's "ffi"), through the
 * class mcconfig generates as "mc/ffi". Created at first use: a preloaded module must not call
 * native code at build time.
 */
import FFI from 'mc/ffi';
import type { NativeApi } from './moddable-types.js';

let instance: NativeApi | undefined;

export function native(): NativeApi {
  instance ??= new FFI();
  return instance;
}
