/**
 * Energy model: charge drawn per wake from what the wake did (boots, sensor reads, Wi-Fi joins,
 * connections, bytes, flash erases, time kept awake), never from wall time, plus deep sleep for
 * the rest of the virtual time. Figures are published ESP32 numbers (Espressif ESP32 datasheet
 * section 5.4 "RF Power-Consumption Specifications" and the power-management notes); every one
 * is printed with the results (describeAssumptions) and can be overridden.
 *
 * While the radio is on the current is `radioMa` (CPU included); otherwise awake is `cpuMa`.
 */

export interface EnergyAssumptions {
  /** Deep sleep with the RTC timer (µA figure of the datasheet: about 10 µA). */
  sleepMa: number;
  /** CPU awake, radio off (80-240 MHz, about 30-50 mA). */
  cpuMa: number;
  /** Light sleep, RAM kept (about 0.8 mA): a pending-verify image waiting between its cycles. */
  lightSleepMa: number;
  /** Radio on: average while joining, connecting and sending (TX peaks 240 mA, RX about 100 mA). */
  radioMa: number;
  /** From the deep-sleep wake (or reset) to the application running: ROM, bootloader, image check, XS start. */
  bootMs: number;
  /** A wake cycle's own CPU time: sensor reads (SHT3x high repeatability 15 ms), filters, rules, encoding, planning. */
  cycleCpuMs: number;
  /** Wi-Fi join with the channel and BSSID cached in RTC memory, static-IP or cached DHCP lease. */
  joinCachedMs: number;
  /** Wi-Fi join without a cache: scan every channel, authenticate, DHCP. */
  joinFullMs: number;
  /** A join that fails (access point gone): scan until the join timeout. */
  joinFailMs: number;
  /** One connection's round trips (TCP handshake, MQTT CONNECT/CONNACK or an HTTP exchange). */
  connectMs: number;
  /** Effective application throughput while sending or receiving (bytes per ms; 125 = 1 Mbit/s). */
  bytesPerMs: number;
  /** Erasing one 4 KiB flash sector (typical 45 ms for ESP32 SPI flash). */
  sectorEraseMs: number;
}

export const DEFAULT_ENERGY: Readonly<EnergyAssumptions> = Object.freeze({
  sleepMa: 0.01,
  cpuMa: 40,
  lightSleepMa: 0.8,
  radioMa: 120,
  bootMs: 250,
  cycleCpuMs: 30,
  joinCachedMs: 400,
  joinFullMs: 2500,
  joinFailMs: 5000,
  connectMs: 60,
  bytesPerMs: 125,
  sectorEraseMs: 45,
});

export interface Battery {
  name: string;
  capacityMah: number;
  /** Share of the rated capacity a node can use before brown-out (cut-off voltage, self-discharge). */
  usable: number;
}

export const BATTERIES: Readonly<Record<string, Battery>> = Object.freeze({
  '2xaa': { name: '2x AA alkaline', capacityMah: 2500, usable: 0.85 },
  '18650': { name: '18650 Li-ion', capacityMah: 3000, usable: 0.85 },
  'cr123a': { name: 'CR123A lithium', capacityMah: 1500, usable: 0.85 },
  'lipo1000': { name: '1000 mAh LiPo', capacityMah: 1000, usable: 0.85 },
});

/** `2xaa`, `18650`, `cr123a`, `lipo1000`, or a capacity such as `2000mah`/`2000`. */
export function parseBattery(spec: string): Battery {
  const key = spec.trim().toLowerCase();
  const known = BATTERIES[key] ?? BATTERIES[key.replace(/\s+/g, '')];
  if (known !== undefined) return known;
  const m = /^(\d+(?:\.\d+)?)\s*(mah)?$/.exec(key);
  if (m !== null && Number(m[1]) > 0) return { name: `${m[1]} mAh`, capacityMah: Number(m[1]), usable: 0.85 };
  throw new RangeError(`unknown battery ${JSON.stringify(spec)}: use ${Object.keys(BATTERIES).join(', ')} or a capacity in mAh`);
}

/** What one wake did, as the energy model needs it. */
export interface WakeActivity {
  /** Boots this wake (1; 2 when it restarted into another image). */
  boots: number;
  /** Wake cycles run (1; more while a pending image stays awake). */
  cycles: number;
  joinsCached: number;
  joinsFull: number;
  joinsFailed: number;
  /** Connections opened (MQTT and HTTP). */
  connects: number;
  /** Bytes sent plus received on every connection. */
  bytes: number;
  flashSectorsErased: number;
  /** Time in light sleep between cycles (a pending image that must not deep-sleep), ms. */
  idleAwakeMs: number;
}

export function emptyActivity(): WakeActivity {
  return { boots: 0, cycles: 0, joinsCached: 0, joinsFull: 0, joinsFailed: 0, connects: 0, bytes: 0, flashSectorsErased: 0, idleAwakeMs: 0 };
}

export function addActivity(into: WakeActivity, a: WakeActivity): void {
  into.boots += a.boots;
  into.cycles += a.cycles;
  into.joinsCached += a.joinsCached;
  into.joinsFull += a.joinsFull;
  into.joinsFailed += a.joinsFailed;
  into.connects += a.connects;
  into.bytes += a.bytes;
  into.flashSectorsErased += a.flashSectorsErased;
  into.idleAwakeMs += a.idleAwakeMs;
}

export interface AwakeTime {
  cpuMs: number;
  radioMs: number;
  /** Light sleep between the cycles of a pending-verify image. */
  lightMs: number;
}

export function awakeTime(a: WakeActivity, e: EnergyAssumptions = DEFAULT_ENERGY): AwakeTime {
  const radioMs = a.joinsCached * e.joinCachedMs + a.joinsFull * e.joinFullMs + a.joinsFailed * e.joinFailMs
    + a.connects * e.connectMs + a.bytes / e.bytesPerMs;
  const cpuMs = a.boots * e.bootMs + a.cycles * e.cycleCpuMs + a.flashSectorsErased * e.sectorEraseMs;
  return { cpuMs, radioMs, lightMs: a.idleAwakeMs };
}

/** Charge in mAh for the activity plus deep sleep over the rest of `spanMs`. */
export function chargeMah(a: WakeActivity, spanMs: number, e: EnergyAssumptions = DEFAULT_ENERGY): { mah: number; awake: AwakeTime; sleepMs: number } {
  const awake = awakeTime(a, e);
  const sleepMs = Math.max(0, spanMs - awake.cpuMs - awake.radioMs - awake.lightMs);
  const mAms = awake.cpuMs * e.cpuMa + awake.radioMs * e.radioMa + awake.lightMs * e.lightSleepMa + sleepMs * e.sleepMa;
  return { mah: mAms / 3_600_000, awake, sleepMs };
}

/** Battery life in days at `mahPerDay`. */
export function batteryDays(battery: Battery, mahPerDay: number): number {
  return mahPerDay <= 0 ? Number.POSITIVE_INFINITY : (battery.capacityMah * battery.usable) / mahPerDay;
}

export function describeAssumptions(e: EnergyAssumptions, battery: Battery): string[] {
  return [
    `deep sleep ${(e.sleepMa * 1000).toFixed(0)} uA; CPU awake ${e.cpuMa} mA; radio on ${e.radioMa} mA average (joining, connecting, sending); light sleep ${e.lightSleepMa} mA`,
    `boot ${e.bootMs} ms; wake cycle ${e.cycleCpuMs} ms CPU (sensor reads, filters, rules, encoding)`,
    `Wi-Fi join ${e.joinCachedMs} ms with cached channel/BSSID, ${e.joinFullMs} ms without (scan + DHCP), ${e.joinFailMs} ms when it fails`,
    `${e.connectMs} ms of round trips per connection; ${(e.bytesPerMs * 8 / 1000).toFixed(1)} Mbit/s while sending; ${e.sectorEraseMs} ms per 4 KiB flash erase`,
    `battery ${battery.name}: ${battery.capacityMah} mAh rated, ${Math.round(battery.usable * 100)} % usable`,
  ];
}
