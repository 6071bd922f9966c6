/**
 * The firmware core as the ESP32 host (hosts/esp32/) imports it.
 *
 * XS, on the device and in its linker, resolves a relative import against the importer's
 * specifier and strips only one leading "./" or "../" (xs/platforms/mc/xsHosts.c and
 * xs/tools/xslBase.c fxFindModule): "../../firmware/index" from "hosts/esp32/app" becomes
 * "hosts/../firmware/index", which no module is called. So the host's modules import
 * "../esp32-core.js" (specifier "hosts/esp32-core"), and this module, one folder up, reaches
 * firmware/ with a single "../". Owned by the ESP32 host (issue #6).
 */
export * from '../firmware/index.js';
