/**
 * `npm run server -- --port P --data DIR`: the OTA server for real.
 *
 * Storage: SQLite in DIR, or PostgreSQL when DATABASE_URL is set (DATABASE_SCHEMA picks a
 * schema). On first start an admin token is printed once (only its hash is kept); with
 * OTA_ADMIN_TOKEN set, that token is the admin token instead and nothing is printed.
 * SIGINT/SIGTERM close gracefully: stop accepting, finish requests in flight, flush status
 * writes, close the store. A second signal exits at once.
 */
import { Command, InvalidArgumentError } from 'commander';
import { buildApp } from './app.js';
import type { MqttSettings } from './services/context.js';
import { STATUS_FLUSH_MS } from './services/checkin.js';
import { openStore } from './store/index.js';

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in ${min}..${max}`);
    return n;
  };
}

/** `host:port[:tls]`, comma separated, in order of preference. */
function parseBrokers(text: string): MqttSettings['brokers'] {
  return text.split(',').map((part) => {
    const m = /^([A-Za-z0-9.:_-]+?):(\d{1,5})(:tls)?$/.exec(part.trim());
    if (m === null) throw new InvalidArgumentError(`broker "${part}" is not host:port[:tls]`);
    return { host: m[1]!, port: Number(m[2]), ...(m[3] === undefined ? {} : { tls: true }) };
  });
}

const program = new Command('server')
  .description('OTA and provisioning server')
  .option('--port <port>', 'TCP port (0: any free port)', integer(0, 65535), 8080)
  .option('--host <host>', 'address to listen on', '0.0.0.0')
  .option('--data <dir>', 'data directory (SQLite file, firmware images)', './ota-data')
  .option('--mqtt <brokers>', 'brokers given to provisioned devices: host:port[:tls],...', process.env.OTA_MQTT_BROKERS ?? '127.0.0.1:1883')
  .option('--topic-prefix <prefix>', 'MQTT topic prefix given to devices')
  .option('--log-level <level>', 'pino level', process.env.LOG_LEVEL ?? 'info')
  .option('--log-requests', 'log every request (two lines each)', false)
  .option('--rate-limit <n>', 'requests per minute per token (0: off)', integer(0, 1_000_000), 600)
  .option('--status-flush-ms <ms>', 'write check-in status behind in batches of this many ms', integer(0, 60_000), STATUS_FLUSH_MS)
  .parse(process.argv);

const opts = program.opts<{ port: number; host: string; data: string; mqtt: string; topicPrefix?: string; logLevel: string; logRequests: boolean; rateLimit: number; statusFlushMs: number }>();

// A store that cannot open (SQLite data directory owned by another server, PostgreSQL down,
// a newer schema) is an operator's problem to fix: its message, not a stack trace.
const store = await openStore({ dataDir: opts.data, databaseUrl: process.env.DATABASE_URL, schema: process.env.DATABASE_SCHEMA })
  .catch((error: unknown) => {
    process.stderr.write(`ota-server: cannot open the store: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
const { app, services } = await buildApp({
  store,
  dataDir: opts.data,
  logger: { level: opts.logLevel },
  logRequests: opts.logRequests,
  rateLimit: opts.rateLimit === 0 ? false : { max: opts.rateLimit, timeWindowMs: 60_000 },
  mqtt: { brokers: parseBrokers(opts.mqtt), ...(opts.topicPrefix === undefined ? {} : { topicPrefix: opts.topicPrefix }) },
  statusFlushMs: opts.statusFlushMs,
  defaultMetrics: true,
});

const adminToken = await services.tokens.bootstrapAdmin(process.env.OTA_ADMIN_TOKEN);
if (adminToken !== undefined) {
  process.stdout.write(`\nAdmin token (shown once; only its hash is stored):\n  ${adminToken}\n\n`);
}

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) {
    process.stderr.write(`${signal} again: exiting now\n`);
    process.exit(1);
  }
  closing = true;
  app.log.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    app.log.error('shutdown took over 10 s: exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  try {
    await app.close();
    process.exit(0);
  } catch (error) {
    app.log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

const address = await app.listen({ port: opts.port, host: opts.host });
process.stdout.write(`OTA server listening on ${address} (store: ${store.kind}, data: ${opts.data})\n`);
