/**
 * The device's topics: `<prefix>/<deviceId>/up` (SenML-CBOR packs, QoS 1),
 * `<prefix>/<deviceId>/status` (retained birth and will, CBOR), `<prefix>/<deviceId>/down`
 * (optional downlink, subscribed at QoS 1). See docs/mqtt.md.
 */
import { FirmwareError } from '../errors.js';
import { assertTopicName } from './topic.js';

export interface DeviceTopics {
  readonly up: string;
  readonly status: string;
  readonly down: string;
}

/** Throws ERR_MQTT_TOPIC unless prefix is a wildcard-free name and deviceId one wildcard-free level. */
export function deviceTopics(prefix: string, deviceId: string): DeviceTopics {
  assertTopicName(prefix);
  assertTopicName(deviceId);
  if (deviceId.indexOf('/') >= 0) throw new FirmwareError('ERR_MQTT_TOPIC', `device id ${JSON.stringify(deviceId)} must be one topic level`);
  // A '$' first level is reserved for brokers ($SYS) [MQTT-4.7.2-1]: keep device data out of it.
  if (prefix.charCodeAt(0) === 0x24) throw new FirmwareError('ERR_MQTT_TOPIC', 'topic prefix must not start with "$"');
  const base = `${prefix}/${deviceId}`;
  return Object.freeze({ up: `${base}/up`, status: `${base}/status`, down: `${base}/down` });
}
