import { PACKAGE_LIMITS } from '@tinymlops/contracts';
import type { BlobStore } from './storage/blob-store.js';
import type { Db } from './storage/database.js';
import type { DetectorFactory } from './modules/drift/reanalysis.js';
import type { ServerMetrics } from './modules/metrics/server-metrics.js';

/** Tunables of one server; every field has a default (see DEFAULT_CONFIG). */
export interface ServerConfig {
  heartbeatIntervalSeconds: number;
  /** A device not heard from for this long shows as offline. */
  offlineAfterSeconds: number;
  /** When set, this enrolment token is always accepted (the demo's open token). Never in production. */
  demoEnrolmentToken: string | null;
  maxArchiveBytes: number;
  maxExtractedBytes: number;
  maxEntries: number;
  maxCompressionRatio: number;
  maxBundleBytes: number;
  /** ed25519 public keys (PEM) by keyId; a signed bundle must verify against its key. */
  trustedBundleKeys: Record<string, string>;
  /** Refuse unsigned bundles. */
  requireSignedBundles: boolean;
  /** Requests a minute one device may make on average (per process; bursts of a tenth of it); 0 = no limit. */
  deviceRequestsPerMinute: number;
  /** Enrolment requests a minute per client address (bursts of a minute's worth); 0 = no limit. */
  enrolmentsPerMinute: number;
  /** Requests with failing credentials a minute per client address, before further ones get 429; 0 = no limit. */
  authFailuresPerMinute: number;
  /** A connection that sends nothing for this long (mid-body included) is closed; 0 = never. */
  connectionIdleTimeoutMs: number;
  /** Longest a request may take to arrive in full; 0 = no limit. */
  requestTimeoutMs: number;
}

export const DEFAULT_CONFIG: ServerConfig = {
  heartbeatIntervalSeconds: 60,
  offlineAfterSeconds: 180,
  demoEnrolmentToken: null,
  ...PACKAGE_LIMITS,
  maxBundleBytes: 256 * 1024 * 1024,
  trustedBundleKeys: {},
  requireSignedBundles: false,
  // 10 a second: a device normally makes a few a minute (heartbeat, assignment, feedback, packages).
  deviceRequestsPerMinute: 600,
  // Strangers: enough for a site of a hundred devices booting at once behind one address.
  enrolmentsPerMinute: 120,
  authFailuresPerMinute: 120,
  connectionIdleTimeoutMs: 60_000,
  // A full 16 MiB package at the 16 KiB/s TinyLCM plans for takes ~17 minutes.
  requestTimeoutMs: 20 * 60_000,
};

/** Everything a route or job handler needs, passed explicitly (no globals). */
export interface AppContext {
  readonly db: Db;
  readonly blobs: BlobStore;
  readonly config: ServerConfig;
  readonly metrics: ServerMetrics;
  readonly now: () => Date;
  /** Called after a job is enqueued so an in-process worker starts at once. */
  readonly jobEnqueued: () => void;
  /** TinyLCM detectors by kind, for drift re-analysis; wired at app construction. */
  readonly detectorFactory: DetectorFactory | null;
}
