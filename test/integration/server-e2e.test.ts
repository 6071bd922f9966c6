/**
 * End to end over real HTTP: devices running the real firmware core on the node host
 * (createNode + runWakeCycle, the UplinkStep with MQTT to an in-process Aedes and check-in to
 * the server, the OTA Updater writing A/B flash slots) against the real OTA server.
 *
 * 1. A good release: provision with the claim, check in, get offered, download with Range
 *    across wakes (a small per-wake budget), verify, activate, boot pending-verify, pass the
 *    health check, report success; the server ends with the device 'succeeded'.
 * 2. A bad release whose image fails its health check (a regression: its sensor drivers fail
 *    and its MQTT client never reaches the broker): every device that takes it rolls back and
 *    reports it, and the rollout pauses itself at the failure threshold; nothing more is offered.
 *
 * The images are the simulated format the OTA sweep and the fleet simulator use
 * (tools/ota/sim/image.ts): the bootloader stand-in loads a slot whose header and digest check.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpFirmwareSource, createNode, createUplink, DeviceServerClient, ensureProvisioned, fromHex, HttpClient, KV_CLAIM, loadCredentials,
  runWakeCycle, selectBootSlot, signManifest, Updater, utf8Encode,
  type FirmwareManifest, type LogPort, type Node, type SocketPort, type UplinkStep,
} from '../../firmware/index.js';
import { DEFAULT_NODE_CONFIG } from '../../firmware/node/config.js';
import { createManualClock, type ManualClock } from '../../hosts/node/clock.js';
import { createNodeCrypto, ed25519PublicKey, ed25519Sign } from '../../hosts/node/crypto.js';
import { FlashFirmwareSlots } from '../../hosts/node/firmware-slots.js';
import { FlashKv } from '../../hosts/node/flash-kv.js';
import { createOtaFlash, type SimFlash } from '../../hosts/node/flash.js';
import { createMemoryOutboxStore } from '../../hosts/node/outbox-store-memory.js';
import { createSimulatedPower, createFixedBattery, type SimulatedPower } from '../../hosts/node/power.js';
import { createSeededRandom } from '../../hosts/node/random.js';
import { createMemoryRetained, type MemoryRetained } from '../../hosts/node/retained.js';
import { createBmp280Sim, createSht3xSim } from '../../hosts/node/sensors.js';
import { createNodeSocketPort } from '../../hosts/node/socket.js';
import { createSystemTimer } from '../../hosts/node/timer.js';
import { keyId } from '../../firmware/ota/cose.js';
import { startAedes, type TestBroker } from '../support/mqtt/brokers.js';
import { buildImage, inspectImage, programImage, type ImageBehaviour, type ImageInfo } from '../../tools/ota/sim/image.js';
import { startHarness, type Harness } from '../server/helpers/harness.js';

const BOARD = 'esp32-c3';
const SLOT_SIZE = 64 * 1024;
const SECTOR = 4096;
const HEALTH_TIMEOUT_MS = 120_000;
/** Between wakes: past the devices' check-in period (CHECK_IN_MS), so every wake checks in. */
const CHECK_IN_MS = 60_000;
const WAKE_STEP_MS = 5 * 60_000;
const crypto = createNodeCrypto();
const seed = createHash('sha256').update('e2e release key').digest();
const publicKey = ed25519PublicKey(seed);
/** Firmware log lines go nowhere, unless E2E_LOG is set (debugging). */
const noLog: LogPort = { log: (level, code, fields) => { if (process.env.E2E_LOG) console.log(level, code, JSON.stringify(fields)); } };

type Behaviour = Extract<ImageBehaviour, 'healthy' | 'fails-health'>;

const imageOf = (version: string, behaviour: Behaviour, length: number): Uint8Array =>
  buildImage({ version, securityVersion: 1, board: BOARD, behaviour, length }, crypto);

function signedManifest(img: Uint8Array, version: string): Uint8Array {
  const sha = createHash('sha256').update(img).digest();
  const manifest: FirmwareManifest = {
    version, securityVersion: 1, board: BOARD, size: img.length, sha256: new Uint8Array(sha), path: `/v1/firmware/${sha.toString('hex')}/image`,
  };
  return signManifest(manifest, (tbs) => ed25519Sign(tbs, seed), { kid: keyId(publicKey, crypto) });
}

/** One device: flash with two slots and nvs, RTC memory, RTC clock; the core is rebuilt at every boot. */
class Device {
  readonly flash: SimFlash = createOtaFlash({ slotSize: SLOT_SIZE, kvSectors: 6, sectorSize: SECTOR, seed: 1 });
  readonly retained: MemoryRetained = createMemoryRetained();
  readonly outboxStore = createMemoryOutboxStore();
  readonly clock: ManualClock;
  readonly power: SimulatedPower;
  #restarted = false;
  #runtime: { node: Node; uplink: UplinkStep | undefined; updater: Updater; image: ImageInfo } | undefined;

  /** Bytes of the offered image written so far (undefined when no download is open). */
  progress(): { offset: number; size: number } | undefined {
    return this.#runtime?.updater.progress();
  }

  constructor(readonly id: string, claimSecret: string, readonly net: { serverPort: number; brokerPort: number }, readonly world: { now: number }) {
    this.clock = createManualClock({ utcMs: world.now, wallMs: world.now });
    this.power = createSimulatedPower({ battery: createFixedBattery(3.9), onRestart: () => { this.#restarted = true; } });
    programImage(this.flash.area('ota_0'), imageOf('1.0.0', 'healthy', 20_000));
    new FlashKv(this.flash.area('nvs')).set(KV_CLAIM, utf8Encode(claimSecret));
  }

  get version(): string | undefined {
    return this.#runtime?.image.version;
  }

  runningState(): string {
    return this.#runtime?.node.firmware().bootState ?? 'none';
  }

  async #boot(): Promise<void> {
    const kv = new FlashKv(this.flash.area('nvs'));
    const areaOf = (slot: 0 | 1) => this.flash.area(slot === 0 ? 'ota_0' : 'ota_1');
    const inspect = (slot: 0 | 1) => inspectImage((o, l) => areaOf(slot).read(o, l), SLOT_SIZE, crypto);
    const found: (ImageInfo | undefined)[] = [];
    const decision = selectBootSlot(this.flash.area('otadata'), (slot) => (found[slot] = inspect(slot)) !== undefined);
    const image = found[decision.slot!]!;
    const slots = new FlashFirmwareSlots(this.flash, decision.slot!);
    const timer = createSystemTimer();
    // First boot: exchange the claim for credentials over the firmware's own HTTP client.
    if (loadCredentials(kv) === undefined) {
      const client = new DeviceServerClient({ http: new HttpClient({ socket: createNodeSocketPort(), timer }), server: { host: '127.0.0.1', port: this.net.serverPort }, monotonicMs: () => this.clock.monotonicMs() });
      await ensureProvisioned({ kv, client, deviceId: this.id, log: noLog });
    }
    const credentials = loadCredentials(kv)!;
    const broken = image.behaviour === 'fails-health' ? { faults: { busError: () => true } } : {};
    const sensors = [
      createSht3xSim({ clock: this.clock, temperature: () => 21.5, humidity: () => 40, ...broken }),
      createBmp280Sim({ clock: this.clock, pressure: () => 101_000, temperature: () => 21.5, ...broken }),
    ];
    // The broken image's MQTT client never reaches the broker (its connection is refused).
    const sockets = createNodeSocketPort();
    const socket: SocketPort = image.behaviour === 'healthy' ? sockets : {
      resolve: (host) => sockets.resolve(host),
      connect: (o) => sockets.connect(o.port === this.net.brokerPort ? { ...o, port: 1 } : o),
    };
    const { uplink } = createUplink({
      ports: { socket, timer, clock: this.clock, random: createSeededRandom(7), outboxStore: this.outboxStore, log: noLog },
      deviceId: this.id, firmwareVersion: image.version, topicPrefix: 'e2e', credentials,
      server: { host: '127.0.0.1', port: this.net.serverPort },
      mqtt: { backoff: { baseMs: 1, capMs: 1 } },
    });
    const updater = new Updater({
      slots, kv, crypto, log: noLog, power: this.power, clock: this.clock,
      source: createHttpFirmwareSource({
        client: new HttpClient({ socket: createNodeSocketPort(), timer }), host: '127.0.0.1', port: this.net.serverPort,
        headers: { Authorization: `Bearer ${credentials.deviceToken}` },
      }),
      identity: { board: BOARD, version: image.version, securityVersion: 1 },
      trustedKeys: [fromHex(Buffer.from(publicKey).toString('hex'))],
      // A small per-wake budget: the image arrives over several wakes, resumed with Range.
      budget: { bytes: 12 * 1024 },
      healthTimeoutMs: HEALTH_TIMEOUT_MS,
    });
    const node = createNode({
      clock: this.clock, retained: this.retained, kv, sensors, power: this.power, log: noLog, random: createSeededRandom(3), timer,
      config: { ...DEFAULT_NODE_CONFIG, deviceId: this.id, checkInPeriodMs: CHECK_IN_MS },
      firmware: () => ({ version: image.version, slot: slots.running(), bootState: slots.runningState() }),
      uplink, update: updater,
    });
    this.#runtime = { node, uplink, updater, image };
  }

  /**
   * One wake at the world's time: cycles until it sleeps again (restarts and pending-verify
   * cycles included). Time spent awake moves the world's (and so the server's) clock on.
   */
  async wake(): Promise<void> {
    if (this.world.now > this.clock.trueUtcMs()) this.clock.advance(this.world.now - this.clock.trueUtcMs());
    this.power.setBoot('deep-sleep', 'timer');
    for (let cycles = 0; cycles < 12; cycles++) {
      if (this.#runtime === undefined) await this.#boot();
      this.#restarted = false;
      const result = await runWakeCycle(this.#runtime!.node, { sleep: false });
      if (this.#restarted) {
        // activate or roll back: the chip restarts at once into the slot the bootloader picks.
        this.#runtime = undefined;
        this.retained.powerCut();
        this.power.setBoot('software');
        continue;
      }
      if (result.stayAwake !== true) return;
      this.clock.advance(Math.max(result.next.sleepMs, 30_000)); // pending verify: awake, the health clock runs
      this.world.now = Math.max(this.world.now, this.clock.trueUtcMs());
    }
  }
}

describe('devices and the OTA server, end to end', () => {
  let h: Harness;
  let broker: TestBroker;
  let serverPort: number;

  beforeAll(async () => {
    broker = await startAedes();
    h = await startHarness('sqlite', { mqtt: { brokers: [{ host: '127.0.0.1', port: broker.port }], topicPrefix: 'e2e' }, logger: false });
    serverPort = Number(new URL(h.url).port);
    const k = await h.request('POST', '/v1/keys', { token: h.adminToken, json: { name: 'release', publicKey: Buffer.from(publicKey).toString('hex') } });
    expect(k.status).toBe(201);
  });
  afterAll(async () => {
    await h.close();
    await broker.close();
  });

  async function fleet(prefix: string, n: number, tag: string): Promise<Device[]> {
    const reg = await h.request('POST', '/v1/devices/import', { token: h.adminToken, json: { devices: Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, board: BOARD, tags: [tag] })) } });
    expect(reg.status).toBe(201);
    return (reg.json().devices as Array<{ id: string; claimSecret: string }>).map((d) => new Device(d.id, d.claimSecret, { serverPort, brokerPort: broker.port }, h.clock));
  }

  async function publish(version: string, behaviour: Behaviour): Promise<string> {
    const img = imageOf(version, behaviour, 40_000);
    const m = await h.request('POST', '/v1/firmware', { token: h.adminToken, json: { manifest: Buffer.from(signedManifest(img, version)).toString('base64') } });
    expect(m.status).toBe(201);
    const sha = m.json().firmware.sha256 as string;
    expect((await h.request('PUT', `/v1/firmware/${sha}/image`, { token: h.adminToken, body: img, contentType: 'application/octet-stream' })).status).toBe(200);
    return sha;
  }

  async function wakeAll(devices: Device[]): Promise<void> {
    h.clock.now += WAKE_STEP_MS;
    for (const d of devices) await d.wake();
  }

  const rollout = async (id: string) => (await h.request('GET', `/v1/rollouts/${id}`, { token: h.adminToken })).json();

  it('a good release: provision, check in, offered, Range download over several wakes, install, health check, success', async () => {
    const [device] = await fleet('good', 1, 'good');
    const sha = await publish('1.1.0', 'healthy');
    const r = (await h.request('POST', '/v1/rollouts', { token: h.adminToken, json: { firmwareSha256: sha, tags: ['good'], stages: [100], failureThreshold: 0.2, minSample: 1 } })).json();
    const states: string[] = [];
    const offsets: number[] = [];
    for (let wake = 0; wake < 10 && device!.version !== '1.1.0'; wake++) {
      await wakeAll([device!]);
      const progress = device!.progress();
      if (progress !== undefined) offsets.push(progress.offset);
      states.push((await h.request('GET', `/v1/devices/${device!.id}`, { token: h.adminToken })).json().rollouts[0]?.state ?? 'none');
    }
    expect(device!.version).toBe('1.1.0');
    // Wake 1 provisions, checks in, is offered and starts downloading; the image then arrives over several wakes.
    expect(states[0]).toBe('downloading');
    expect(states.filter((s) => s === 'downloading').length).toBeGreaterThan(1);
    // Resumed where it stopped, one budget per wake (each continuation is a Range request).
    expect(offsets.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThan(offsets[i - 1]!);
    expect(offsets.every((o) => o > 0 && o < 40_000)).toBe(true);
    await wakeAll([device!]);
    const seen = (await h.request('GET', `/v1/devices/${device!.id}`, { token: h.adminToken })).json();
    expect(seen.status).toMatchObject({ firmwareVersion: '1.1.0', bootState: 'valid' });
    expect(seen.rollouts[0].state).toBe('succeeded');
    expect((await rollout(r.id)).counts).toMatchObject({ succeeded: 1, failed: 0, rolled_back: 0 });
    const metrics = (await h.request('GET', '/metrics', { token: h.adminToken })).text();
    expect(metrics).toMatch(/ota_http_request_duration_seconds_count\{method="GET",route="\/v1\/firmware\/:sha256\/image",status_code="206"\} [2-9]/);
  });

  it('a release that fails its health check rolls back on every device and pauses its rollout at the threshold', async () => {
    const devices = await fleet('bad', 6, 'bad');
    const sha = await publish('1.2.0', 'fails-health');
    const r = (await h.request('POST', '/v1/rollouts', { token: h.adminToken, json: { firmwareSha256: sha, tags: ['bad'], stages: [50, 100], failureThreshold: 0.25, minSample: 2 } })).json();
    expect((await h.request('POST', `/v1/rollouts/${r.id}/advance`, { token: h.adminToken })).json().stageIndex).toBe(1);
    let status = await rollout(r.id);
    for (let wake = 0; wake < 12 && status.state === 'active'; wake++) {
      await wakeAll(devices);
      status = await rollout(r.id);
    }
    expect(status.state).toBe('paused');
    expect(status.stateReason).toMatch(/^automatic: failure rate \d+\/\d+/);
    expect(status.attempted).toBeGreaterThanOrEqual(2);
    expect(status.failures / status.attempted).toBeGreaterThan(0.25);
    expect(status.counts.succeeded).toBe(0);
    const rows = (await h.request('GET', `/v1/rollouts/${r.id}/devices?state=rolled_back`, { token: h.adminToken })).json().devices;
    expect(rows.length).toBe(status.counts.rolled_back);
    expect(rows.every((d: { reason: string }) => d.reason === 'ERR_OTA_HEALTH')).toBe(true);
    // Every device runs the old image again, marked valid; paused means no more offers.
    await wakeAll(devices);
    for (const d of devices) {
      expect(d.version).toBe('1.0.0');
      expect(d.runningState()).toBe('valid');
    }
    const after = await rollout(r.id);
    expect(after.state).toBe('paused');
    expect(after.counts.installed).toBe(0);
  });
});
