/**
 * What the build and flash tools need to know per board: the ESP32 chip (for esptool and the
 * bootloader offset), the flash size, and which partition table the manifest selects for it.
 * Keep in step with the "platforms" of manifests/sensor-node.json (a test checks the tables).
 */
import { join } from 'node:path';
import { ToolError } from './which.js';

export type Chip = 'esp32' | 'esp32s2' | 'esp32s3' | 'esp32c3' | 'esp32c6' | 'esp32h2';

export interface Board {
  /** mcconfig platform: "esp32" or "esp32/<board folder>". */
  platform: string;
  chip: Chip;
  flashSize: '4mb' | '8mb';
}

/**
 * Second-stage bootloader offset [IDF]: the ESP32 and ESP32-S2 ROMs load it from 0x1000, the
 * newer chips from 0x0 (esp-idf components/bootloader/Kconfig.projbuild, BOOTLOADER_OFFSET_IN_FLASH).
 */
export const BOOTLOADER_OFFSET: Readonly<Record<Chip, number>> = Object.freeze({
  esp32: 0x1000,
  esp32s2: 0x1000,
  esp32s3: 0x0,
  esp32c3: 0x0,
  esp32c6: 0x0,
  esp32h2: 0x0,
});

export const BOARDS: readonly Board[] = Object.freeze([
  { platform: 'esp32', chip: 'esp32', flashSize: '4mb' },
  { platform: 'esp32/esp32s3', chip: 'esp32s3', flashSize: '8mb' },
  { platform: 'esp32/esp32c3', chip: 'esp32c3', flashSize: '4mb' },
]);

export const APP_MANIFEST = 'manifests/sensor-node.json';
/** build.NAME in the manifest: the folder mcconfig writes the binaries to. */
export const APP_NAME = 'sensor-node';

export function partitionCsv(root: string, flashSize: string): string {
  return join(root, 'manifests', 'partitions', `partitions-${flashSize}.csv`);
}

const CHIPS: readonly Chip[] = Object.keys(BOOTLOADER_OFFSET) as Chip[];

export function isChip(value: string): value is Chip {
  return (CHIPS as readonly string[]).includes(value);
}

/**
 * A known board, or another `esp32/<board>` folder of the Moddable SDK when its chip is given
 * (the manifest's "esp32/*" section builds those with the 4 MB table).
 */
export function resolveBoard(platform: string, chip?: string): Board {
  if (platform !== 'esp32' && !/^esp32\/[A-Za-z0-9_-]+$/.test(platform)) {
    throw new ToolError(`--board must be "esp32" or "esp32/<board>", not "${platform}"`);
  }
  const known = BOARDS.find((b) => b.platform === platform);
  if (chip !== undefined && !isChip(chip)) throw new ToolError(`unknown chip "${chip}" (known: ${CHIPS.join(', ')})`);
  if (known !== undefined) {
    if (chip !== undefined && chip !== known.chip) throw new ToolError(`board ${platform} is an ${known.chip}, not an ${chip}`);
    return known;
  }
  if (chip === undefined) {
    throw new ToolError(`board ${platform} is not one of ${BOARDS.map((b) => b.platform).join(', ')}: give its chip with --chip`);
  }
  return { platform, chip, flashSize: '4mb' };
}
