/**
 * Core figures (issue #2):
 *   core.computronsPerCycle   one wake cycle of the reference node (temperature, humidity,
 *                             pressure) inside XS (xsnap), metered: the mean over the first warm
 *                             hour (12 wakes, 5 min apart, some reporting, most not)
 *   core.computronsPerCycleQuiet / Reporting   the cheapest cycle / a cycle that sends a pack
 *   core.computronsColdStart  the first cycle after power-on (fresh state, kv sequence block)
 *   core.computronsCreateNode createNode at boot (config validation, pipelines)
 *   core.computronsCallOverhead  the call envelope alone (a noop call), subtracted from the
 *                             cycle figures, which count runWakeCycle itself
 *   core.heapBytes            what xsnap reports after that cycle (XS allocatedSpace)
 *   core.heapSlots            heap slots in use after it
 *   core.heapSlotsPerCycle    slots the last cycle allocated (collected just before it; a slot
 *                             is 16 bytes on the ESP32's 32-bit XS)
 *   core.bundleBytes          the core (config, wiring, wake cycle, codec, sampling, rules,
 *                             planner) bundled and minified; core.bundleBytesGzip for scale
 *   core.retainedBytes        the retained record saved for deep sleep
 *   payload.senmlCborBytes    the cold-start report (temperature, humidity, pressure) as SenML-CBOR
 *   payload.jsonBytes         the same readings as Tasmota publishes them on tele/<topic>/SENSOR
 *   payload.cborToJsonRatio
 *   payload.tasmotaFullJsonBytes / payload.cborToTasmotaFullRatio   the message Tasmota really
 *                             publishes for an SHT3x + BMP280 (with DewPoint and the BMP280's own
 *                             temperature, which the conservative jsonBytes leaves out)
 *   payload.changePackBytes   the mean pack of a warm reporting cycle (change-only: what moved)
 *   payload.hourCborBytes / hourJsonBytes   one hour of that node: its packs against Tasmota's
 *                             fixed-interval JSON every 5 minutes
 *
 * The XS part runs in a child process: the XS harness locks down the process that loads it
 * (docs/xs.md), and bench/run.ts runs other benches in this one.
 */
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const CHILD_FLAG = '--core-xs-child';

interface ChildFigures {
  cycles: { computrons: number; heapBytes: number; heapSlots: number; packs: number[] | null; pack: number; retained: number }[];
  createNode: number;
  overhead: number;
  /** Heap slots in use after a full collection, just before the last cycle. */
  slotsBefore: number;
  bundleBytes: number;
  bundleBytesGzip: number;
}

/**
 * Tasmota's tele/<topic>/SENSOR for an SHT3x and a BMP280, as Tasmota prints it: local time
 * without zone, fixed decimals (TempRes 1, HumRes 1, PressRes 1), pressure in hPa. Only the
 * three readings the node sends (Tasmota would add DewPoint and the BMP280's temperature).
 */
export function tasmotaJson(utcSeconds: number, temperature: number, humidity: number, pressurePa: number): string {
  const time = new Date(utcSeconds * 1000).toISOString().slice(0, 19);
  return `{"Time":"${time}","SHT3X":{"Temperature":${temperature.toFixed(1)},"Humidity":${humidity.toFixed(1)}},` +
    `"BMP280":{"Pressure":${(pressurePa / 100).toFixed(1)}},"PressureUnit":"hPa","TempUnit":"C"}`;
}

/**
 * What Tasmota really publishes for an SHT3x + BMP280 on tele/<topic>/SENSOR: the SHT3X block
 * with DewPoint and the BMP280 block with its own temperature (xsns_14_sht3x.ino and
 * xsns_09_bmp.ino, TempRes 1, HumRes 1, PressRes 1). The dew point is Tasmota's Magnus formula
 * (CalcTempHumToDew); the BMP280 temperature is taken equal to the SHT3x one (the figure is about
 * bytes: both print with one decimal).
 */
export function tasmotaFullJson(utcSeconds: number, temperature: number, humidity: number, pressurePa: number): string {
  const time = new Date(utcSeconds * 1000).toISOString().slice(0, 19);
  const gamma = Math.log(humidity / 100) + (17.62 * temperature) / (243.12 + temperature);
  const dew = (243.12 * gamma) / (17.62 - gamma);
  return `{"Time":"${time}","SHT3X":{"Temperature":${temperature.toFixed(1)},"Humidity":${humidity.toFixed(1)},"DewPoint":${dew.toFixed(1)}},` +
    `"BMP280":{"Temperature":${temperature.toFixed(1)},"Pressure":${(pressurePa / 100).toFixed(1)}},"PressureUnit":"hPa","TempUnit":"C"}`;
}

async function child(): Promise<void> {
  await import('@endo/init');
  const { bundle, startXsWorker } = await import('../hosts/xs/index.js');
  const worker = await startXsWorker({ name: 'core-bench', entry: 'hosts/xs/entries/core.ts' });
  try {
    const createNode = (await worker.call('setup')).meter.computrons;
    const overhead = (await worker.call('noop')).meter.computrons;
    const cycles: ChildFigures['cycles'] = [];
    let slotsBefore = 0;
    for (let i = 0; i < 13; i++) {
      if (i === 12) slotsBefore = (await worker.call('gc')).meter.heapSlots;
      const { meter } = await worker.call('cycle');
      const { reply } = await worker.call<{ packBytes: number; retainedBytes: number }>('last');
      const pack = (await worker.call<Uint8Array>('lastPack')).reply;
      // The cycle's own computrons: the call minus the envelope (a noop call costs the same envelope).
      cycles.push({ ...meter, computrons: meter.computrons - overhead, packs: pack.length === 0 ? null : Array.from(pack), pack: reply.packBytes, retained: reply.retainedBytes });
    }
    const core = bundle('hosts/xs/entries/core-bundle.ts', { minify: true });
    const figures: ChildFigures = { cycles, createNode, overhead, slotsBefore, bundleBytes: Buffer.byteLength(core), bundleBytesGzip: gzipSync(core).length };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await worker.close();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', self, CHILD_FLAG], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const f = JSON.parse(out.trim().split('\n').at(-1)!) as ChildFigures;
  const { resolvePack } = await import('../firmware/codec/senml.js');
  const { DEFAULT_NODE_CONFIG } = await import('../firmware/node/config.js');
  const cold = f.cycles[0]!;
  const warm = f.cycles.slice(1);
  const mean = Math.round(warm.reduce((s, c) => s + c.computrons, 0) / warm.length);
  const reporting = warm.filter((c) => c.pack > 0);
  const last = warm[warm.length - 1]!;

  // The same readings, both ways: the cold-start pack holds temperature, humidity and pressure.
  const coldPack = Uint8Array.from(cold.packs!);
  // The node sends no base name (its MQTT topic <prefix>/<deviceId>/up names it): a consumer
  // resolves full names from the topic, as here.
  const records = resolvePack(coldPack, { baseName: `urn:dev:${DEFAULT_NODE_CONFIG.deviceId}:` });
  const value = (suffix: string): number => records.find((r) => r.name.endsWith(`:${suffix}`))!.value!;
  const json = tasmotaJson(records[0]!.time, value('temp'), value('hum'), value('press'));
  const fullJson = tasmotaFullJson(records[0]!.time, value('temp'), value('hum'), value('press'));
  // One hour: our packs against Tasmota's JSON every 5 minutes (TelePeriod 300).
  const hourCbor = f.cycles.slice(0, 12).reduce((s, c) => s + c.pack, 0);
  const hourJson = 12 * Buffer.byteLength(json);

  return {
    'core.computronsPerCycle': mean,
    'core.computronsPerCycleQuiet': Math.min(...warm.map((c) => c.computrons)),
    'core.computronsPerCycleReporting': reporting.length === 0 ? 0 : Math.round(reporting.reduce((s, c) => s + c.computrons, 0) / reporting.length),
    'core.computronsColdStart': cold.computrons,
    'core.computronsCreateNode': f.createNode,
    'core.computronsCallOverhead': f.overhead,
    'core.heapBytes': last.heapBytes,
    'core.heapSlots': last.heapSlots,
    'core.heapSlotsPerCycle': last.heapSlots - f.slotsBefore,
    'core.bundleBytes': f.bundleBytes,
    'core.bundleBytesGzip': f.bundleBytesGzip,
    'core.retainedBytes': last.retained,
    'payload.senmlCborBytes': coldPack.length,
    'payload.jsonBytes': Buffer.byteLength(json),
    'payload.cborToJsonRatio': Math.round((coldPack.length / Buffer.byteLength(json)) * 1000) / 1000,
    'payload.tasmotaFullJsonBytes': Buffer.byteLength(fullJson),
    'payload.cborToTasmotaFullRatio': Math.round((coldPack.length / Buffer.byteLength(fullJson)) * 1000) / 1000,
    'payload.changePackBytes': reporting.length === 0 ? 0 : Math.round(reporting.reduce((sum, c) => sum + c.pack, 0) / reporting.length),
    'payload.hourCborBytes': hourCbor,
    'payload.hourJsonBytes': hourJson,
  };
}

if (process.argv[1] === self && process.argv.includes(CHILD_FLAG)) await child();
