/*
 * The class mcconfig generates as "mc/ffi" from the "ffi" functions of manifests/sensor-node.json
 * (tools/ffi.js: pointers are ArrayBuffers, integers and floats numbers, char* strings). The
 * device build uses the generated file; this copy serves `npx tsc -p hosts/esp32/tsconfig.json`.
 * test/esp32/native.test.ts regenerates it from the manifest and compares, so they cannot drift.
 */
declare module "mc/ffi" {
	export default class FFI {
		constructor();
		sn_sleep_wake_timer(arg0: number): number;
		sn_sleep_wake_pin(arg0: number, arg1: number): number;
		sn_sleep_wake_pins(arg0: number, arg1: number, arg2: number): number;
		sn_deep_sleep(): void;
		sn_wake_causes(): number;
		sn_reset_reason(): number;
		sn_random(): number;
		sn_retained_capacity(): number;
		sn_retained_read(arg0: ArrayBuffer, arg1: number): number;
		sn_retained_write(arg0: ArrayBuffer, arg1: number): number;
		sn_retained_clear(): void;
		sn_ota_running_slot(): number;
		sn_ota_running_label(): string;
		sn_ota_running_state(): number;
		sn_ota_activate_next(): number;
		sn_ota_mark_valid(): number;
		sn_ota_mark_invalid(): number;
		sn_ota_rollback_possible(): number;
		sn_wifi_connect_bssid(arg0: string, arg1: string, arg2: ArrayBuffer, arg3: number): number;
		sn_wifi_ap_info(arg0: ArrayBuffer): number;
		sn_wifi_static_ip(arg0: string, arg1: string, arg2: string, arg3: string): number;
	}
}
