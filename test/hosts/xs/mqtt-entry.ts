/**
 * XS entry for test/hosts/xs/mqtt.test.ts: the firmware's MQTT link runs inside xsnap on the
 * bridged socket, timer and clock ports (hosts/xs/socket-bridge-guest.ts) and publishes QoS 1
 * to a real broker. `run` returns at once; the outcome comes back through callHost('mqtt.done').
 */
import { createMqttLink, type BrokerEndpoint } from '../../../firmware/mqtt/link.js';
import { encodeBirth, encodeWill } from '../../../firmware/mqtt/status.js';
import { deviceTopics } from '../../../firmware/mqtt/topics.js';
import { createSeededRandom } from '../../../hosts/node/random.js';
import { createPrintLog } from '../../../hosts/xs/guest/log.js';
import { callHost, serve } from '../../../hosts/xs/guest/serve.js';
import { createBridgedPorts } from '../../../hosts/xs/socket-bridge-guest.js';

interface RunArgs { brokers: BrokerEndpoint[]; prefix: string; deviceId: string; count: number }

const bridge = createBridgedPorts();

async function run(a: RunArgs): Promise<unknown> {
  const topics = deviceTopics(a.prefix, a.deviceId);
  const link = createMqttLink({
    socket: bridge.socket, timer: bridge.timer, clock: bridge.clock, random: createSeededRandom(1), log: createPrintLog('info'),
    brokers: a.brokers, clientId: a.deviceId, topics, will: encodeWill('xs-1.0.0'), window: 4,
  });
  const status = {
    firmwareVersion: 'xs-1.0.0', slot: 0 as const, bootState: 'valid', batteryVolts: 3.8, configVersion: 1,
    outbox: { records: a.count, bytes: 0, dropped: 0, thinned: 0 },
  };
  const opened = await link.open({ deadlineMs: bridge.clock.monotonicMs() + 20_000, status: encodeBirth(status, 1_700_000_000_000) });
  if (!opened) return { ok: false, stage: 'open', retryDelayMs: link.retryDelayMs() };
  // Pace by the window: wait for one outstanding publish to settle before taking another slot.
  const pending = new Set<Promise<void>>();
  let acked = 0;
  for (let seq = 1; seq <= a.count; seq++) {
    while (link.inFlight() >= link.window) await Promise.race(pending);
    const p: Promise<void> = link.publish(topics.up, Uint8Array.of(0xa1, 0x00, seq)).then(() => {
      acked += 1;
      pending.delete(p);
    });
    pending.add(p);
  }
  await Promise.all(pending);
  await link.close();
  return { ok: true, acked, engine: typeof (globalThis as { print?: unknown }).print };
}

serve({
  ...bridge.handlers,
  run: (args) => {
    run(args as RunArgs).then(
      (result) => callHost('mqtt.done', result),
      (error: { code?: string; message?: string }) => callHost('mqtt.done', { ok: false, code: error.code, message: error.message }),
    );
    return 'started';
  },
});
