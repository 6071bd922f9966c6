/*
 * A stand-in for the class mcconfig generates as "mc/ffi" from the "ffi" functions of
 * manifests/sensor-node.json, so that `npx tsc -p hosts/esp32/tsconfig.json` resolves it. The
 * device build uses the generated file instead, where native.ts checks it against NativeApi;
 * test/esp32/native.test.ts checks NativeApi against the manifest, so the methods are not
 * written out twice here.
 */
declare module "mc/ffi" {
	type NativeApi = import("../moddable-types.js").NativeApi;
	interface FFI extends NativeApi {}
	class FFI {
		constructor();
	}
	export default FFI;
}
