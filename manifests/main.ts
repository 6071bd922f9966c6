/**
 * Entry module of the sensor-node firmware ("main" in manifests/sensor-node.json). It imports
 * the host by its bare specifier (XS resolves relative imports against the importer's specifier,
 * and "main" has no folder) and starts one wake cycle, which ends in deep sleep.
 */
import start from 'hosts/esp32/app';

export default function main(): void {
  start();
}
