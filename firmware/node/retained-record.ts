/**
 * The retained record: everything that must survive deep sleep, in one CBOR map from a
 * section number to that section's bytes. Section numbers are fixed forever; retire, never
 * reuse (as error codes).
 */
export const RETAINED_SECTION = {
  /** Record format and boot counters. */
  header: 0,
  /** Sampling pipelines: filters, report policies, aggregates per channel. */
  sampling: 1,
  /** Local rules: threshold states. */
  rules: 2,
  /** Planner: next due times per task. */
  planner: 3,
  /** Uplink: outbox counters, MQTT backoff, broker index, clock correction. */
  uplink: 4,
  /** OTA: pending-verify health clock and boot count. */
  update: 5,
  /** SenML sequence counter. */
  sequence: 6,
} as const;
