/** What every service is built from; the app wires it once (collaborators injected, style item 7). */
import type { FastifyBaseLogger } from 'fastify';
import type { CryptoPort } from '../core.js';
import type { Store } from '../store/types.js';
import type { ImageFiles } from './image-files.js';

export interface MqttSettings {
  brokers: Array<{ host: string; port: number; tls?: boolean }>;
  topicPrefix?: string;
}

export interface ServiceContext {
  store: Store;
  images: ImageFiles;
  crypto: CryptoPort;
  /** UTC ms. */
  now: () => number;
  log: FastifyBaseLogger;
  mqtt: MqttSettings;
}
