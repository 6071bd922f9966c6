/**
 * One simulated device: the real firmware core (createNode + runWakeCycle, the uplink, the OTA
 * updater) on the node host's ports, plus the hardware the simulator keeps between wakes (RTC
 * clock with drift, retained RTC memory, flash with two firmware slots and the kv partition,
 * the outbox store, the battery, the radio).
 *
 * Engine-neutral: this module imports only the firmware's public API and pure node-host ports,
 * so the same code runs in the simulator's Node process (--engine node) and inside an xsnap
 * worker (--engine xs, sim/xs/). The host hands it a SocketPort and a TimerPort (real sockets
 * to the broker and server, or the XS bridge), or, in logic mode, an in-memory link and
 * check-in instead.
 *
 * What happens at a wake (wake()):
 *   1. the RTC runs to the wake's true time (scaled by its drift), the battery drains for the
 *      sleep, the sensors are given this instant's values;
 *   2. after a power cut or a restart: the bootloader stand-in picks a slot (ESP-IDF rules,
 *      firmware's selectBootSlot), the image in it decides the app's behaviour, the ports and
 *      the core are built again (RAM is gone); after deep sleep they are reused (the core
 *      restores everything from the retained record either way, see firmware/node/node.ts);
 *   3. first boot: the claim secret is exchanged for credentials (ensureProvisioned);
 *   4. one wake cycle; an update that activates or rolls back restarts the device: it boots
 *      again at once and runs a cycle in the new image;
 *   5. a summary of what happened (reports, alarms, window, traffic, firmware) for the
 *      simulator's metrics and energy model.
 * A pending-verify image must not deep-sleep (ESP-IDF allows one boot in that state): the
 * summary then asks to stay awake and wake again shortly.
 */
import {
  createHttpFirmwareSource, createUplink, DeviceServerClient, ensureProvisioned, FirmwareError, fromHex, HttpClient,
  isFirmwareError, KV_CLAIM, loadCredentials, Outbox, resolvePack, runWakeCycle, selectBootSlot, Uplink, Updater, utf8Encode, UtcClock,
  createNode, deviceTopics,
  type CheckInAnswer, type CheckInRequest, type CryptoPort, type KvPort, type LogLevel, type LogPort, type Node, type ProvisionAnswer,
  type RandomPort, type SocketPort, type TimerPort, type UplinkLink, type UplinkStep, type WakeResult, type WindowReason,
} from '../../firmware/index.js';
import { createManualClock, type ManualClock } from '../../hosts/node/clock.js';
import { FlashFirmwareSlots } from '../../hosts/node/firmware-slots.js';
import { FlashKv } from '../../hosts/node/flash-kv.js';
import { createOtaFlash, type SimFlash } from '../../hosts/node/flash.js';
import { createMemoryKv } from '../../hosts/node/kv.js';
import { createMemoryOutboxStore, type MemoryOutboxStore } from '../../hosts/node/outbox-store-memory.js';
import { createLiIonBattery, createSimulatedPower, type BatteryModel, type SimulatedPower } from '../../hosts/node/power.js';
import { createSeededRandom, type SeededRandom } from '../../hosts/node/random.js';
import { createMemoryRetained, type MemoryRetained } from '../../hosts/node/retained.js';
import { createBmp280Sim, createSht3xSim } from '../../hosts/node/sensors.js';
import { awakeTime, type EnergyAssumptions, type WakeActivity } from '../energy.js';
import { buildImage, inspectImage, programImage, type ImageInfo } from '../../tools/ota/sim/image.js';
import { Radio, radioSocket, type RadioCounters } from './radio.js';

export { Radio };

export interface DeviceSpec {
  id: string;
  seed: number;
  /** The build's NodeConfig (validated by createNode). */
  config: unknown;
  /** The image programmed at the factory into ota_0. */
  factory: { version: string; securityVersion: number; board: string; imageBytes: number };
  /** OTA: flash slots and the updater. Without it the node has no UpdateStep and kv is in memory. */
  ota?: { trustedKeysHex: string[]; slotSize: number; budgetBytes: number; healthTimeoutMs: number };
  /** The OTA server (provisioning, check-in, download) and broker port, for full-stack runs. */
  net?: { serverHost: string; serverPort: number; brokerPort: number };
  /** Written to kv at the factory; exchanged for credentials at the first boot. */
  claimSecret?: string;
  /** Logic mode: credentials given at the factory (no provisioning round trip). */
  credentials?: ProvisionAnswer;
  clock: {
    /** True UTC ms when the device is first powered. */
    startUtcMs: number;
    /** What its RTC reads then (0: unset, as an ESP32 after power-on). */
    rtcStartMs: number;
    driftPpm: number;
  };
  battery: { capacityMah: number; socPercent: number };
  outboxBytes: number;
  backoff: { baseMs: number; capMs: number; jitter: boolean };
  energy: EnergyAssumptions;
}

/** What the host provides: the network (full stack) or the in-memory models (logic mode). */
export interface DeviceEnv {
  crypto: CryptoPort;
  socket?: SocketPort;
  timer?: TimerPort;
  logic?: {
    link(deviceId: string, radio: Radio, random: RandomPort, options: { backoff: { baseMs: number; capMs: number } }): UplinkLink;
    checkIn(deviceId: string, radio: Radio, request: CheckInRequest, trueMs: number): Promise<CheckInAnswer>;
  };
  /** Firmware log lines at warn and error (the default counts them by code only). */
  log?: (level: LogLevel, code: string, fields?: Readonly<Record<string, unknown>>) => void;
}

export interface WakeInput {
  trueMs: number;
  values: { temperature?: number; humidity?: number; pressure?: number };
  wifiUp: boolean;
}

export interface AlarmSummary {
  kind: 'raise' | 'clear';
  ruleId: string;
  seq: number;
}

export interface ReportSummary {
  firstSeq: number;
  lastSeq: number;
  alarms: AlarmSummary[];
}

export interface WakeSummary {
  trueMs: number;
  clockUnset: boolean;
  reports: ReportSummary[];
  window: {
    opened: boolean;
    reasons: WindowReason[];
    brokerReached: boolean;
    published: number;
    checkedIn: boolean;
    skipped?: string;
    error?: string;
  };
  outbox: { records: number; dropped: number; thinned: number };
  /** Device-time ms until the next planned wake. */
  sleepMs: number;
  /** Set while a pending-verify image stays awake: wake again after this many ms. */
  stayAwakeMs?: number;
  activity: WakeActivity;
  traffic: RadioCounters;
  firmware: { version: string; bootState: string };
  /** The RTC's error against true UTC after the wake (ms). */
  clockErrorMs: number;
}

interface Runtime {
  node: Node;
  uplink?: UplinkStep;
}

const FLASH_SECTOR = 4096;
const KV_SECTORS = 6;
const MAX_RESTARTS_PER_WAKE = 4;

/** A LogPort that keeps warn/error counts by code and forwards them to the host's sink. */
class CountingLog implements LogPort {
  readonly counts = new Map<string, number>();
  readonly #sink: DeviceEnv['log'];
  constructor(sink: DeviceEnv['log']) {
    this.#sink = sink;
  }

  log(level: LogLevel, code: string, fields?: Readonly<Record<string, unknown>>): void {
    if (level !== 'warn' && level !== 'error') return;
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    this.#sink?.(level, code, fields);
  }
}

export class DeviceProgram {
  readonly spec: DeviceSpec;
  readonly clock: ManualClock;
  readonly retained: MemoryRetained;
  readonly outboxStore: MemoryOutboxStore;
  readonly flash: SimFlash | undefined;
  readonly battery: BatteryModel;
  readonly power: SimulatedPower;
  readonly radio = new Radio();
  readonly log: CountingLog;
  readonly #env: DeviceEnv;
  readonly #random: SeededRandom;
  readonly #linkRandom: RandomPort;
  /** kv without OTA flash (memory: it survives power cuts like NVS). */
  readonly #memoryKv: KvPort | undefined;
  #runtime: Runtime | undefined;
  #values: WakeInput['values'] = {};
  #restarts = 0;
  #lastTrueMs: number;

  constructor(spec: DeviceSpec, env: DeviceEnv) {
    this.spec = spec;
    this.#env = env;
    this.log = new CountingLog(env.log);
    this.clock = createManualClock({ utcMs: spec.clock.startUtcMs, wallMs: spec.clock.rtcStartMs, driftPpm: spec.clock.driftPpm });
    this.#lastTrueMs = spec.clock.startUtcMs;
    this.retained = createMemoryRetained();
    this.outboxStore = createMemoryOutboxStore();
    this.battery = createLiIonBattery({ capacityMah: spec.battery.capacityMah, socPercent: spec.battery.socPercent });
    this.power = createSimulatedPower({ battery: this.battery, onRestart: () => { this.#restarts++; } });
    this.#random = createSeededRandom(spec.seed);
    // Jitter off: every backoff delay is its ceiling (the strategy object is the firmware's own).
    this.#linkRandom = spec.backoff.jitter ? this.#random.fork() : { next: () => 0.9999999999 };
    if (spec.ota !== undefined) {
      this.flash = createOtaFlash({ slotSize: spec.ota.slotSize, kvSectors: KV_SECTORS, sectorSize: FLASH_SECTOR, seed: spec.seed });
      const image = buildImage({ version: spec.factory.version, securityVersion: spec.factory.securityVersion, board: spec.factory.board, behaviour: 'healthy', length: spec.factory.imageBytes }, env.crypto);
      programImage(this.flash.area('ota_0'), image);
    } else {
      this.#memoryKv = createMemoryKv();
    }
    const kv = this.#kv();
    if (spec.claimSecret !== undefined) kv.set(KV_CLAIM, utf8Encode(spec.claimSecret));
  }

  #kv(): KvPort {
    return this.#memoryKv ?? new FlashKv(this.flash!.area('nvs'));
  }

  /** Power is lost (and comes back at the next wake): RAM and RTC memory gone, flash kept. */
  powerCut(): void {
    this.retained.powerCut();
    this.power.powerCut();
    this.radio.powerLoss();
    this.clock.setWallMs(0); // the RTC restarts near 1970 after power-on
    this.#runtime = undefined;
  }

  /** Sequence ranges [first, last] of the reports still queued in the outbox (flash). */
  queuedSeqs(): [number, number][] {
    return Outbox.open(this.outboxStore, { maxBytes: this.spec.outboxBytes }).entries().map((e): [number, number] => [e.firstSeq, e.lastSeq]);
  }

  /** Firmware log warn/error counts by code. */
  logCounts(): Record<string, number> {
    return Object.fromEntries(this.log.counts);
  }

  async wake(input: WakeInput): Promise<WakeSummary> {
    const sleptMs = Math.max(0, input.trueMs - this.#lastTrueMs);
    if (input.trueMs > this.clock.trueUtcMs()) this.clock.advance(input.trueMs - this.clock.trueUtcMs());
    this.#lastTrueMs = this.clock.trueUtcMs();
    this.battery.drain(this.spec.energy.sleepMa, sleptMs);
    this.#values = input.values;
    this.radio.beginWake(input.wifiUp);
    const erasesBefore = this.flash?.counts.erases ?? 0;
    let boots = 0;
    let cycles = 0;
    const reports: ReportSummary[] = [];
    let last: WakeResult | undefined;
    let windowSummary: WakeSummary['window'] = { opened: false, reasons: [], brokerReached: false, published: 0, checkedIn: false };
    const merge = (r: WakeResult): void => {
      const w = r.window;
      windowSummary = {
        opened: windowSummary.opened || w.opened,
        reasons: [...new Set([...windowSummary.reasons, ...w.reasons])],
        brokerReached: windowSummary.brokerReached || w.outcome?.brokerReached === true,
        published: windowSummary.published + (w.outcome?.published ?? 0),
        checkedIn: windowSummary.checkedIn || w.outcome?.checkIn !== undefined,
        ...(w.skipped === undefined ? {} : { skipped: w.skipped }),
        ...(w.error === undefined ? {} : { error: w.error }),
      };
    };

    for (let attempt = 0; attempt <= MAX_RESTARTS_PER_WAKE; attempt++) {
      if (this.#runtime === undefined) {
        boots++;
        const booted = this.#boot();
        if (booted === undefined) continue; // crashed at boot: reset, the bootloader decides again
        this.#runtime = booted;
      } else {
        this.power.setBoot('deep-sleep', 'timer');
      }
      await this.#provision();
      const runtime = this.#runtime;
      const restartsBefore = this.#restarts;
      const result = await runWakeCycle(runtime.node, { sleep: false });
      cycles++;
      if (result.report !== undefined) reports.push(summariseReport(result.report.pack, result.report.firstSeq, result.report.lastSeq, result.report.alarm));
      merge(result);
      last = result;
      if (this.#restarts === restartsBefore) break;
      // activateInactive or a rollback asked for a restart: boot again now. RTC memory survives
      // a software reset (esp_restart), so the retained record stays.
      this.#runtime = undefined;
      this.power.setBoot('software');
    }

    const runtime = this.#runtime;
    const traffic = this.radio.take();
    const activity: WakeActivity = {
      boots,
      cycles,
      joinsCached: traffic.joinsCached,
      joinsFull: traffic.joinsFull,
      joinsFailed: traffic.joinsFailed,
      connects: traffic.connects.mqtt + traffic.connects.http + traffic.connects.ota,
      bytes: traffic.bytes.mqtt + traffic.bytes.http + traffic.bytes.ota,
      flashSectorsErased: (this.flash?.counts.erases ?? 0) - erasesBefore,
      idleAwakeMs: 0,
    };
    const awake = awakeTime(activity, this.spec.energy);
    this.battery.drain(this.spec.energy.cpuMa, awake.cpuMs);
    this.battery.drain(this.spec.energy.radioMa, awake.radioMs);
    const backlog = runtime?.uplink?.backlog() ?? { records: 0, dropped: 0, thinned: 0 };
    const summary: WakeSummary = {
      trueMs: input.trueMs,
      clockUnset: last?.boot.clockUnset === true,
      reports,
      window: windowSummary,
      outbox: { records: backlog.records, dropped: backlog.dropped, thinned: backlog.thinned },
      sleepMs: last?.next.sleepMs ?? 5 * 60_000,
      activity,
      traffic,
      firmware: this.#firmwareInfo(runtime),
      clockErrorMs: this.clock.wallMs() - this.clock.trueUtcMs(),
    };
    // A pending-verify image does not deep-sleep (ESP-IDF gives it one boot): the core says how
    // long to wait, awake, before its next cycle on the same node.
    if (last?.stayAwake === true) summary.stayAwakeMs = Math.max(1, last.next.sleepMs);
    return summary;
  }

  /** The device stayed awake (pending verify, light sleep between cycles) for `ms`. */
  idle(ms: number): void {
    this.battery.drain(this.spec.energy.lightSleepMa, ms);
  }

  #firmwareInfo(runtime: Runtime | undefined): WakeSummary['firmware'] {
    if (runtime === undefined) return { version: 'none', bootState: 'undefined' };
    const info = runtime.node.firmware();
    return { version: info.version, bootState: info.bootState };
  }

  /** Bootloader, image, ports and core: what a boot builds. Undefined when the image crashed. */
  #boot(): Runtime | undefined {
    const spec = this.spec;
    const { crypto } = this.#env;
    const kv = this.#kv();
    let image: ImageInfo = { version: spec.factory.version, securityVersion: spec.factory.securityVersion, board: spec.factory.board, behaviour: 'healthy', length: 0 };
    let slots: FlashFirmwareSlots | undefined;
    if (this.flash !== undefined) {
      const flash = this.flash;
      const area = (slot: 0 | 1) => flash.area(slot === 0 ? 'ota_0' : 'ota_1');
      const inspect = (slot: 0 | 1): ImageInfo | undefined => inspectImage((o, l) => area(slot).read(o, l), area(slot).size(), crypto);
      // The image check hashes the whole image: keep what it found for the slot chosen.
      const found: (ImageInfo | undefined)[] = [];
      const decision = selectBootSlot(flash.area('otadata'), (slot) => (found[slot] = inspect(slot)) !== undefined);
      if (decision.slot === undefined) throw new FirmwareError('ERR_OTA_STATE', `${spec.id}: no slot holds a loadable image`);
      image = found[decision.slot]!;
      slots = new FlashFirmwareSlots(flash, decision.slot);
      if (image.behaviour === 'crashes') {
        // Panic before the app runs: the bootloader aborts a pending image at the next boot.
        this.power.setBoot('panic');
        return undefined;
      }
    }
    const sensorFaults = image.behaviour === 'fails-health' ? { busError: () => true } : undefined;
    const timeOf = (): number => this.clock.trueUtcMs();
    const sensors = [
      createSht3xSim({
        clock: this.clock, timeOf, ...(sensorFaults === undefined ? {} : { faults: sensorFaults }),
        temperature: () => this.#values.temperature ?? 21, humidity: () => this.#values.humidity ?? 45,
      }),
      createBmp280Sim({
        clock: this.clock, timeOf, ...(sensorFaults === undefined ? {} : { faults: sensorFaults }),
        pressure: () => this.#values.pressure ?? 101_325, temperature: () => this.#values.temperature ?? 21,
      }),
    ];
    const credentials = loadCredentials(kv, this.log) ?? spec.credentials;
    const uplink = credentials === undefined ? undefined : this.#uplink(credentials, image.behaviour === 'fails-health');
    let updater: Updater | undefined;
    if (spec.ota !== undefined && slots !== undefined && credentials !== undefined && spec.net !== undefined && this.#env.socket !== undefined && this.#env.timer !== undefined) {
      const otaSocket = radioSocket(this.#env.socket, this.radio, () => 'ota');
      updater = new Updater({
        slots, kv, crypto, log: this.log,
        source: createHttpFirmwareSource({
          client: new HttpClient({ socket: otaSocket, timer: this.#env.timer }),
          host: spec.net.serverHost, port: spec.net.serverPort,
          headers: { Authorization: `Bearer ${credentials.deviceToken}` },
        }),
        power: this.power,
        clock: this.clock,
        identity: { board: image.board, version: image.version, securityVersion: image.securityVersion },
        trustedKeys: spec.ota.trustedKeysHex.map((k) => fromHex(k)),
        budget: { bytes: spec.ota.budgetBytes },
        healthTimeoutMs: spec.ota.healthTimeoutMs,
      });
    }
    const node = createNode({
      clock: this.clock, retained: this.retained, kv, sensors, power: this.power, log: this.log, random: this.#random,
      ...(this.#env.timer === undefined ? {} : { timer: this.#env.timer }),
      config: spec.config,
      firmware: () => ({ version: image.version, slot: slots?.running() ?? 0, bootState: slots?.runningState() ?? 'valid' }),
      ...(uplink === undefined ? {} : { uplink }),
      ...(updater === undefined ? {} : { update: updater }),
    });
    return { node, ...(uplink === undefined ? {} : { uplink }) };
  }

  #uplink(credentials: ProvisionAnswer, brokenClient: boolean): UplinkStep {
    const spec = this.spec;
    const logic = this.#env.logic;
    const mqtt = { backoff: { baseMs: spec.backoff.baseMs, capMs: spec.backoff.capMs } };
    if (logic !== undefined) {
      const utc = new UtcClock(this.clock);
      const topics = deviceTopics((credentials.mqtt.topicPrefix ?? (spec.config as { topicPrefix?: string }).topicPrefix) ?? 'nodes', spec.id);
      // The modelled server answers with the same shapes as the real one (CheckInAnswer); only
      // the transport is gone, so the timing fields of the HTTP client are the frozen monotonic clock.
      const client = {
        checkIn: async (_token: string, request: CheckInRequest) => {
          const sent = this.clock.monotonicMs();
          const answer = await logic.checkIn(spec.id, this.radio, request, this.clock.trueUtcMs());
          return { answer, sentMonoMs: sent, receivedMonoMs: this.clock.monotonicMs() };
        },
      };
      return new Uplink({
        outbox: Outbox.open(this.outboxStore, { maxBytes: spec.outboxBytes }),
        link: logic.link(spec.id, this.radio, this.#linkRandom, mqtt),
        upTopic: topics.up,
        utc,
        // DeviceServerClient has #private fields (nominal in TypeScript): the model has its one method.
        checkIn: { client: client as unknown as DeviceServerClient, deviceId: spec.id, deviceToken: credentials.deviceToken },
        log: this.log,
      });
    }
    const { socket, timer } = this.#env;
    if (socket === undefined || timer === undefined || spec.net === undefined) throw new FirmwareError('ERR_PORT_MISSING', 'a full-stack device needs a socket, a timer and the net endpoints');
    const brokerPort = spec.net.brokerPort;
    const parts = createUplink({
      ports: {
        socket: radioSocket(socket, this.radio, (port) => (port === brokerPort ? 'mqtt' : 'http'), brokenClient ? (port) => port === brokerPort : undefined),
        timer, clock: this.clock, random: this.#linkRandom, outboxStore: this.outboxStore, log: this.log,
      },
      deviceId: spec.id,
      firmwareVersion: spec.factory.version,
      topicPrefix: (spec.config as { topicPrefix?: string }).topicPrefix ?? 'nodes',
      credentials,
      server: { host: spec.net.serverHost, port: spec.net.serverPort },
      outbox: { maxBytes: spec.outboxBytes },
      mqtt,
    });
    return parts.uplink;
  }

  /** First boot: claim secret -> credentials, then the uplink and updater are built with them. */
  async #provision(): Promise<void> {
    const runtime = this.#runtime;
    if (runtime === undefined || runtime.uplink !== undefined) return;
    const spec = this.spec;
    const { socket, timer } = this.#env;
    if (spec.net === undefined || socket === undefined || timer === undefined) return;
    const kv = runtime.node.ports.kv;
    try {
      const http = new HttpClient({ socket: radioSocket(socket, this.radio, () => 'http'), timer });
      const client = new DeviceServerClient({ http, server: { host: spec.net.serverHost, port: spec.net.serverPort }, monotonicMs: () => this.clock.monotonicMs() });
      await ensureProvisioned({ kv, client, deviceId: spec.id, log: this.log });
    } catch (error) {
      this.log.log('warn', 'PROVISIONING_FAILED', { code: isFirmwareError(error) ? error.code : undefined });
      return;
    }
    // Build again with the credentials (the same boot; RTC state untouched).
    this.#runtime = this.#boot();
  }
}

/** Sequence numbers of the alarm records of a pack (vb records), for delivery tracking. */
function summariseReport(pack: Uint8Array, firstSeq: number, lastSeq: number, alarm: boolean): ReportSummary {
  const alarms: AlarmSummary[] = [];
  if (alarm) {
    for (const r of resolvePack(pack)) {
      if (r.boolValue === undefined || r.seq === undefined) continue;
      const name = r.name;
      alarms.push({ kind: r.boolValue ? 'raise' : 'clear', ruleId: name.slice(name.lastIndexOf(':') + 1), seq: r.seq });
    }
  }
  return { firstSeq, lastSeq, alarms };
}

