/**
 * Topic names and topic filters (OASIS MQTT 3.1.1 section 4.7). Names are what PUBLISH
 * carries; filters are what SUBSCRIBE carries and may hold the wildcards '+' and '#'.
 */
import { utf8EncodedLength } from '../codec/utf8.js';
import { FirmwareError } from '../errors.js';

function checkText(text: string, what: string): void {
  if (typeof text !== 'string' || text.length === 0) {
    // [MQTT-4.7.3-1] all topic names and topic filters must be at least one character long.
    throw new FirmwareError('ERR_MQTT_TOPIC', `${what} is empty [MQTT-4.7.3-1]`);
  }
  const n = utf8EncodedLength(text);
  if (n < 0) throw new FirmwareError('ERR_MQTT_TOPIC', `${what} is not well-formed UTF-8 [MQTT-1.5.3-1]`);
  // [MQTT-4.7.3-3] at most 65535 bytes of UTF-8.
  if (n > 0xffff) throw new FirmwareError('ERR_MQTT_TOPIC', `${what} is longer than 65535 bytes [MQTT-4.7.3-3]`);
  // [MQTT-4.7.3-2] no U+0000.
  if (text.indexOf('\u0000') >= 0) throw new FirmwareError('ERR_MQTT_TOPIC', `${what} contains U+0000 [MQTT-4.7.3-2]`);
}

/** Throws ERR_MQTT_TOPIC unless `name` can be published to. */
export function assertTopicName(name: string): void {
  checkText(name, 'topic name');
  // [MQTT-3.3.2-2] the topic name in a PUBLISH must not contain wildcard characters.
  if (name.indexOf('+') >= 0 || name.indexOf('#') >= 0) {
    throw new FirmwareError('ERR_MQTT_TOPIC', `topic name ${JSON.stringify(name)} contains a wildcard [MQTT-3.3.2-2]`);
  }
}

/** Throws ERR_MQTT_TOPIC unless `filter` is a valid subscription filter. */
export function assertTopicFilter(filter: string): void {
  checkText(filter, 'topic filter');
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    // [MQTT-4.7.1-2] '#' alone, and only as the last level.
    if (level.indexOf('#') >= 0 && (level !== '#' || i !== levels.length - 1)) {
      throw new FirmwareError('ERR_MQTT_TOPIC', `'#' must be the whole last level in ${JSON.stringify(filter)} [MQTT-4.7.1-2]`);
    }
    // [MQTT-4.7.1-3] '+' must occupy a whole level.
    if (level.indexOf('+') >= 0 && level !== '+') {
      throw new FirmwareError('ERR_MQTT_TOPIC', `'+' must be a whole level in ${JSON.stringify(filter)} [MQTT-4.7.1-3]`);
    }
  }
}

export function isTopicName(name: string): boolean {
  try {
    assertTopicName(name);
    return true;
  } catch {
    return false;
  }
}

export function isTopicFilter(filter: string): boolean {
  try {
    assertTopicFilter(filter);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `name` matches `filter` (section 4.7): case-sensitive, '+' one level, '#' the rest
 * including the parent level; wildcards at the first level never match '$' topics [MQTT-4.7.2-1].
 */
export function topicMatches(filter: string, name: string): boolean {
  const f = filter.split('/');
  const t = name.split('/');
  if (name.charCodeAt(0) === 0x24 && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
