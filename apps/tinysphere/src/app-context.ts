import { PACKAGE_LIMITS } from '@tinymlops/contracts/package-limits';
import type { BlobStore } from './storage/blob-store.js';
import type { Db } from './storage/database.js';
import type { DetectorFactory } from './modules/drift/reanalysis.js';
import type { ServerMetrics } from './modules/metrics/server-metrics.js';
import type { MlflowConfig } from './modules/mlflow/mlflow-config.js';
import type { DeviceQuotas } from './modules/packages/device-quota.js';
import type { MaintenanceConfig } from './modules/packages/maintenance-schedule.js';

/** Tunables of one server; every field has a default (see DEFAULT_CONFIG). */
export interface ServerConfig extends MaintenanceConfig {
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
  /** The MLflow tracking server TinySphere imports models from and logs field metrics to; null: none. */
  mlflow: MlflowConfig | null;
  /** Enrolment requests a minute per client address (bursts of a minute's worth); 0 = no limit. */
  enrolmentsPerMinute: number;
  /** Requests with failing credentials a minute per client address, before further ones get 429; 0 = no limit. */
  authFailuresPerMinute: number;
  /** A connection that sends nothing for this long (mid-body included) is closed; 0 = never. */
  connectionIdleTimeoutMs: number;
  /** Longest a request may take to arrive in full; 0 = no limit. */
  requestTimeoutMs: number;
  /** Per-device quotas on package uploads. */
  quotas: DeviceQuotas;
  /** Bytes of package archives (compressed plus extracted) ingestion may hold in memory at once, per process. */
  ingestMemoryBytes: number;
  /** Bytes of package uploads the API holds in memory at once, per process (more: 503); 0 = no limit. */
  uploadMemoryBytes: number;
  /** Who may read /metrics: anyone, or only with an API token (any role); `off` removes it. */
  metricsAccess: 'public' | 'token' | 'off';
  /** Serve the OpenAPI document and UI at /docs. */
  docs: boolean;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy): limits per address need the real one. */
  trustProxy: boolean;
  /** How often running rollouts are stepped (health measured, waves promoted or halted); 0 = never. */
  rolloutStepMs: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const DAY_MS = 86_400_000;

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
  mlflow: null,
  // Strangers: enough for a site of a hundred devices booting at once behind one address.
  enrolmentsPerMinute: 120,
  authFailuresPerMinute: 120,
  connectionIdleTimeoutMs: 60_000,
  // A full 16 MiB package at the 16 KiB/s TinyLCM plans for takes ~17 minutes.
  requestTimeoutMs: 20 * 60_000,
  // A month of a busy device's archives (drift images every few minutes) under retention; a
  // hostile one fills at most this.
  quotas: { storedBytes: 4 * GiB, pendingBytes: 256 * MiB, packagesPerDay: 20_000 },
  maintenanceIntervalMs: 60 * 60_000,
  archiveRetentionMs: 30 * DAY_MS,
  failedRetentionMs: 7 * DAY_MS,
  sweepAfterMs: DAY_MS,
  // Two packages at their limits (16 MiB compressed, 64 MiB extracted) fit; see IngestMemoryBudget.
  ingestMemoryBytes: 192 * MiB,
  // Four full segments (two being made durable, two filling); see UploadMemoryBudget.
  uploadMemoryBytes: 32 * MiB,
  metricsAccess: 'public',
  docs: true,
  trustProxy: false,
  rolloutStepMs: 15_000,
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
