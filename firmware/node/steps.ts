/**
 * The wake cycle's collaborators that land with their own issues (design section 3, steps
 * 6-8). runWakeCycle (wake-cycle.ts) drives them through these narrow interfaces only, so the
 * cycle runs without them (issue #2) and each can be tested alone.
 *
 * Every step that keeps state across deep sleep implements Retainable; its bytes go into one
 * section of the retained record (retained-record.ts).
 */

export interface Retainable {
  /** Compact bytes of the state that must survive deep sleep. */
  snapshot(): Uint8Array;
  /** Restore from snapshot(); throws ERR_STATE_CORRUPT on malformed bytes. */
  restore(bytes: Uint8Array): void;
}

/** Why a radio window is opened this cycle; several may hold at once. */
export type WindowReason = 'report' | 'alarm' | 'heartbeat' | 'backlog' | 'check-in' | 'retry' | 'update';

/** One encoded SenML-CBOR pack ready for the outbox. */
export interface Report {
  pack: Uint8Array;
  /** Sequence numbers of the records in the pack (first..last). */
  firstSeq: number;
  lastSeq: number;
  /** Alarm packs are never evicted and open a window in the same cycle. */
  alarm: boolean;
  /** Corrected UTC ms when it was made. */
  createdAtMs: number;
}

/** What the device tells the server about itself at check-in and in its MQTT status. */
export interface DeviceStatus {
  firmwareVersion: string;
  slot: 0 | 1;
  bootState: string;
  batteryVolts: number;
  configVersion: number;
  outbox: { records: number; bytes: number; dropped: number; thinned: number };
  /** Last update outcome not yet acknowledged by the server. */
  updateOutcome?: UpdateOutcome;
}

export type UpdateOutcome =
  | { kind: 'succeeded'; version: string }
  | { kind: 'failed'; version: string; reason: string }
  | { kind: 'rolled_back'; version: string; reason: string };

/** The server's answer to a check-in, as the device uses it. */
export interface CheckInAnswer {
  serverTimeMs: number;
  /** Present when the device's config version differs; validated by validateNodeConfig. */
  config?: unknown;
  /** COSE_Sign1 bytes of the signed manifest and where to download the image. */
  update?: { manifest: Uint8Array; downloadPath: string; size?: number };
}

export interface WindowOutcome {
  /** Broker reached and session established. */
  brokerReached: boolean;
  /** Reports acknowledged (PUBACK) and removed from the outbox this window. */
  published: number;
  /** Undefined when no check-in happened or it failed. */
  checkIn?: CheckInAnswer;
}

/** Outbox, MQTT session and HTTP check-in (issue #3). */
export interface UplinkStep extends Retainable {
  enqueue(report: Report): void;
  backlog(): { records: number; bytes: number; highWater: boolean; dropped: number; thinned: number };
  /** Corrected UTC ms before which no connect should be tried (backoff); undefined = now is fine. */
  nextAttemptAtMs(): number | undefined;
  openWindow(context: {
    nowMs: number;
    /** Hard awake deadline (corrected UTC ms): stop trying and let the device sleep. */
    deadlineMs: number;
    reasons: readonly WindowReason[];
    status: DeviceStatus;
    checkIn: boolean;
  }): Promise<WindowOutcome>;
}

/** A/B update and health-gated commit (issue #4). */
export interface UpdateStep extends Retainable {
  /** At boot: start the health clock if pending-verify, roll back a crash loop. */
  onBoot(context: { nowMs: number }): void;
  /** Health evidence for a pending image this cycle. */
  recordHealth(evidence: { sensorsRead: boolean; brokerReached: boolean; checkInAnswered: boolean; nowMs: number }): void;
  /** Handle an offer from check-in; may download (within budget), verify, activate and restart. */
  handleOffer(offer: NonNullable<CheckInAnswer['update']>, context: { nowMs: number; deadlineMs: number; batteryVolts: number }): Promise<void>;
  /** Outcome to report until acknowledged. */
  pendingOutcome(): UpdateOutcome | undefined;
  acknowledgeOutcome(): void;
  /** True while a download is in progress and the next wake should continue it, or while pending verify. */
  wantsWindow(): boolean;
  /**
   * True while the running image awaits its health-gated commit (ESP-IDF PENDING_VERIFY). The
   * bootloader gives such an image exactly one boot: any reset, a deep-sleep wake included, rolls
   * it back. While this is true the wake cycle checks in every cycle and never deep-sleeps
   * (WakeResult.stayAwake), until the step commits or rolls back (its health timeout).
   */
  isPendingVerify(): boolean;
}
