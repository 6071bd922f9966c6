/**
 * Public API of the firmware core. Hosts, the simulator and the server import the core
 * through this module only; everything else in firmware/ is internal.
 */
export * from './ports/index.js';
export { ERROR_CODES, FirmwareError, isFirmwareError, RETIRED_CODES, type ErrorCode } from './errors.js';
export type {
  CheckInAnswer, DeviceStatus, Report, Retainable, UpdateOutcome, UpdateStep, UplinkStep, WindowOutcome, WindowReason,
} from './node/steps.js';
export { RETAINED_SECTION } from './node/retained-record.js';
// OTA (issue #4): signed manifest (COSE_Sign1 + Ed25519), pure-JS crypto port.
export {
  decodeManifest, encodeManifest, manifestDigest, MANIFEST_FORMAT, MANIFEST_KEY, parseSignedManifest, signManifest,
  validateManifest, verifySignedManifest, type FirmwareManifest, type SignedManifest,
} from './ota/manifest.js';
export {
  ALG_EDDSA, COSE_SIGN1_TAG, keyId, parseCoseSign1, sigStructure, signCoseSign1, verifyCoseSign1, type CoseSign1, type SignFunction,
} from './ota/cose.js';
export { createNobleCrypto } from './crypto/noble.js';
// Sensing (issue #2): filters, report policies, aggregates, channel pipeline, threshold rules, wake planner.
export { FILTER_REGISTRY, createFilter, parseFilterChain, parseFilterSpec, type FilterSpec } from './sampling/filters/registry.js';
export type { Filter, FilterType } from './sampling/filters/filter.js';
export {
  POLICY_REGISTRY, createReportPolicy, parseReportPolicySpec, standardReportPolicy, type ReportPolicySpec,
} from './sampling/policy/registry.js';
export type { PolicyState, ReportPolicy } from './sampling/policy/policy.js';
export { AGGREGATE_STATS, WindowAggregate, parseAggregateSpec, type AggregateSpec, type AggregateStat, type AggregateSummary } from './sampling/aggregate.js';
export { Channel, parseChannelSpec, type ChannelDue, type ChannelSpec, type ChannelStep, type Reading, type ReadingKind } from './sampling/channel.js';
export { ThresholdRule, parseThresholdRuleSpec, type AlarmEvent, type AlarmKind, type AlarmLevel, type RuleStep, type ThresholdRuleSpec } from './rules/threshold.js';
export { RuleSet, parseRuleSpecs } from './rules/rule-set.js';
export {
  parsePlannerSpec, planWake, type PlannedTask, type PlannedTaskKind, type PlannerInput, type PlannerSpec, type PlanReason, type WakePlan,
} from './planner/planner.js';
// Node (issue #2, CORE-XS): config, wiring, the wake cycle.
export {
  DEFAULT_NODE_CONFIG, MAX_CHANNELS, POWER_SENSOR, validateNodeConfig,
  type BatteryPolicy, type ChannelConfig, type ChannelRuleSpec, type NodeConfig,
} from './node/config.js';
export {
  applyConfig, checkPorts, createNode, KV_CONFIG,
  type ChannelRuntime, type CreateNodeOptions, type FirmwareInfo, type Node, type NodePorts,
} from './node/node.js';
export { runWakeCycle, runWakeCycles, type WakeOptions, type WakeResult } from './node/wake-cycle.js';
export { PENDING_VERIFY_POLL_MS } from './node/plan.js';
export type { SampleEffect } from './node/sample.js';
export type { WindowEffect } from './node/window.js';
export type { NextWake } from './node/plan.js';
export type { ColdReason } from './node/state.js';
export { KV_SEQ_CEILING, SEQ_BLOCK } from './node/sequence.js';
export { decodeRetainedRecord, encodeRetainedRecord, RETAINED_FORMAT, type RetainedSections } from './node/retained-record.js';
// Codec (issue #2, CODEC): deterministic CBOR (RFC 8949), SenML-CBOR (RFC 8428), UTF-8, bytes.
export { decode, DEFAULT_MAX_DEPTH, encode, Simple, Tagged, type DecodeLimits } from './codec/cbor.js';
export { KeyCache } from './codec/key-cache.js';
export {
  buildPack, resolvePack, SENML_LABEL, SENML_UNITS, SEQ_LABEL,
  type PackOptions as SenmlPackOptions, type Reading as SenmlReading, type ResolveOptions as SenmlResolveOptions, type SenmlRecord,
} from './codec/senml.js';
export { compareBytes, concatBytes, equalBytes, fromHex, toHex } from './codec/bytes.js';
export { crc32 } from './codec/crc32.js';
export { tryUtf8Decode, utf8Decode, utf8Encode, utf8EncodedLength } from './codec/utf8.js';
// MQTT (issue #3): the device link (session policy), its topics and status payloads, backoff, and the 3.1.1 client parts.
export {
  createMqttLink, type BrokerEndpoint, type MqttLink, type MqttLinkHandle, type MqttLinkOptions,
} from './mqtt/link.js';
export { deviceTopics, type DeviceTopics } from './mqtt/topics.js';
export { decodeStatus, encodeBirth, encodeWill, type StatusMessage } from './mqtt/status.js';
export { assertTopicFilter, assertTopicName, isTopicFilter, isTopicName, topicMatches } from './mqtt/topic.js';
export { MqttConnection, type ConnectionOptions as MqttConnectionOptions } from './mqtt/connection.js';
export { CONNACK_RETURN_CODES } from './mqtt/packets/connack.js';
export { Backoff, type BackoffOptions } from './backoff/backoff.js';
// Uplink (issue #3, UPLINK): HTTP messages shared with the server, outbox, HTTP client, provisioning, time, the UplinkStep.
export {
  BOOT_STATES, CHECKIN_ANSWER_MAX_BYTES, CHECKIN_REQUEST_MAX_BYTES, checkInAnswerFromJson, checkInAnswerToJson, checkInFromJson, checkInToJson,
  decodeCheckIn, decodeCheckInAnswer, DEVICE_ID_PATTERN, encodeCheckIn, encodeCheckInAnswer, FIRMWARE_VERSION_PATTERN, MANIFEST_MAX_BYTES,
  UPDATE_OUTCOME_KINDS, validateCheckIn, validateCheckInAnswer, type CheckInAnswerJson, type CheckInRequest, type UpdateOffer,
} from './messages/checkin.js';
export {
  BROKER_HOST_PATTERN, decodeProvisionAnswer, decodeProvisionRequest, encodeProvisionAnswer, encodeProvisionRequest, PROVISION_ANSWER_MAX_BYTES,
  PROVISION_REQUEST_MAX_BYTES, SECRET_PATTERN, TOPIC_PREFIX_PATTERN, validateProvisionAnswer, validateProvisionRequest,
  type BrokerAddress, type MqttCredentials, type ProvisionAnswer, type ProvisionRequest,
} from './messages/provision.js';
export { CONTENT_TYPE, formatOf, type MessageFormat } from './messages/format.js';
export { fromBase64, toBase64 } from './messages/base64.js';
export { Outbox, STORE_FRAME_BYTES, type EnqueueOutcome, type OutboxEntry, type OutboxOptions, type OutboxStats } from './outbox/outbox.js';
export {
  DEFAULT_MAX_HEADER_BYTES, expectStatus, HttpClient, type HttpBody, type HttpClientOptions, type HttpRequest, type HttpResponse,
} from './http/client.js';
export type { HttpHeaders } from './http/head.js';
export {
  classifyRangeResponse, isStrongEtag, parseContentRange, rangeHeader, requestRange, suffixRangeHeader,
  type ByteRange, type ContentRange, type RangeOutcome,
} from './http/range.js';
export { DeviceServerClient, type ServerEndpoint, type TimedAnswer } from './provisioning/server-client.js';
export { ensureProvisioned, forgetCredentials, KV_CLAIM, KV_CREDENTIALS, loadCredentials, type ProvisionOptions } from './provisioning/provisioning.js';
export { MIN_VALID_UTC_MS, UtcClock, type ClockFix } from './time/utc-clock.js';
export { correctionFor, MIN_CORRECTION_MS, restampPack } from './time/restamp.js';
export { Uplink, type UplinkCheckIn, type UplinkCounters, type UplinkLink, type UplinkOptions } from './uplink/uplink.js';
export { createUplink, DEFAULT_OUTBOX_BYTES, type CreateUplinkOptions, type UplinkParts } from './uplink/create.js';
// OTA (issue #4): updater, boot rules, otadata, download source.
export { Updater, type UpdaterIdentity, type UpdaterOptions } from './ota/updater.js';
export type { FirmwareRead, FirmwareSource } from './ota/source.js';
export { createHttpFirmwareSource, type HttpFirmwareSourceOptions } from './ota/http-source.js';
export { selectBootSlot, type BootDecision } from './ota/boot.js';
export {
  activeOtadata, bootStateName, entryForSlot, markActiveInvalid, markActiveValid, OTA_IMG, readOtadata, rollbackPossible, setBootSlot, slotOfSeq,
  type OtaSelectEntry,
} from './ota/otadata.js';
export { KV as OTA_KV_KEYS } from './ota/state.js';
