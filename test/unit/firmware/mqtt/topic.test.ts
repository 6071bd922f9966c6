import { describe, expect, it } from 'vitest';
import { assertTopicFilter, assertTopicName, isTopicFilter, isTopicName, topicMatches } from '../../../../firmware/mqtt/topic.js';

const topicError = expect.objectContaining({ code: 'ERR_MQTT_TOPIC' });

describe('topic names and filters (section 4.7)', () => {
  it('MQTT-4.7.3-1: names and filters are at least one character', () => {
    expect(() => assertTopicName('')).toThrowError(topicError);
    expect(() => assertTopicFilter('')).toThrowError(topicError);
  });

  it('MQTT-3.3.2-2: a topic name holds no wildcard', () => {
    for (const t of ['a/+', 'a/#', '#', '+', 'a+b', 'sport/tennis#']) expect(isTopicName(t), t).toBe(false);
    for (const t of ['a', 'a/b', '/a', 'a//b', 'a/', '$SYS/x', 'ünï/©/😀', ' ']) expect(isTopicName(t), t).toBe(true);
  });

  it('MQTT-4.7.1-2: "#" only alone as the last level', () => {
    for (const f of ['#', 'a/#', '/#', 'a/b/#']) expect(isTopicFilter(f), f).toBe(true);
    for (const f of ['a#', 'a/#/b', 'a/b#', '#/a', '##']) expect(isTopicFilter(f), f).toBe(false);
  });

  it('MQTT-4.7.1-3: "+" fills a whole level', () => {
    for (const f of ['+', 'a/+', '+/b', 'a/+/c', '+/+', '/+']) expect(isTopicFilter(f), f).toBe(true);
    for (const f of ['a+', 'a/+b', '+a/b', 'a/b+/c']) expect(isTopicFilter(f), f).toBe(false);
  });

  it('MQTT-4.7.3-2: no U+0000 in names or filters', () => {
    expect(() => assertTopicName('a\u0000b')).toThrowError(topicError);
    expect(() => assertTopicFilter('a\u0000b')).toThrowError(topicError);
  });

  it('MQTT-4.7.3-3: at most 65535 bytes of UTF-8', () => {
    expect(isTopicName('a'.repeat(65535))).toBe(true);
    expect(isTopicName('a'.repeat(65536))).toBe(false);
    expect(isTopicName('é'.repeat(32768))).toBe(false); // 65536 bytes
  });

  it('MQTT-1.5.3-1: refuses an unpaired surrogate', () => {
    expect(isTopicName('a\ud800b')).toBe(false);
    expect(isTopicFilter('\udc00')).toBe(false);
  });

  it('matches levels and wildcards, and keeps "$" topics from first-level wildcards (MQTT-4.7.2-1)', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
    expect(topicMatches('+', '/a')).toBe(false);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicMatches('+/x', '$SYS/x')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/x')).toBe(true);
    expect(topicMatches('A', 'a')).toBe(false);
  });
});
