import { z } from 'zod';
import { ConfigId } from './config-version.js';
import { Id, SchemaVersion1, Timestamp, Version } from './primitives.js';

/** What a rollout deploys: a model version (or the version an alias names) or a configuration version. */
export const RolloutDeployable = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('model'),
      modelId: z.string().min(1).max(64),
      version: Version.optional(),
      alias: z.string().min(1).max(64).optional(),
    })
    .refine((m) => (m.version === undefined) !== (m.alias === undefined), {
      message: 'give exactly one of version or alias',
      path: ['version'],
    }),
  z.strictObject({ kind: z.literal('config'), configId: ConfigId, version: Version }),
]);
export type RolloutDeployable = z.infer<typeof RolloutDeployable>;

/** The devices a rollout covers. */
export const RolloutTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('tag'), tag: z.string().min(1).max(64) }),
  z.strictObject({ kind: z.literal('group'), group: z.string().min(1).max(64) }),
]);
export type RolloutTarget = z.infer<typeof RolloutTarget>;

/** One wave: a fixed number of devices, or a share of the target (cumulative: 50 % means half in total). */
export const RolloutWave = z.union([
  z.strictObject({ devices: z.number().int().min(1).max(100_000) }),
  z.strictObject({ percent: z.number().gt(0).max(100) }),
]);
export type RolloutWave = z.infer<typeof RolloutWave>;

/** The default waves: 1 % canary (at least one device), then 10, 50 and 100 %. */
export const DEFAULT_WAVES: RolloutWave[] = [{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }];

/**
 * When a wave is unhealthy. The candidate is the wave's devices on the new version; the baseline
 * is the rest of the target on the old one over the same time (or, with `baseline: same-devices`,
 * the wave's own devices over an equally long window before the rollout started).
 */
export const RolloutThresholds = z.strictObject({
  /** Share of the wave's devices whose install failed or that refused the configuration. */
  maxInstallFailureRate: z.number().min(0).max(1).default(0),
  /** Drift episodes per device-hour may reach baseline × ratio + slack. */
  maxDriftRateRatio: z.number().min(1).default(2),
  driftRateSlack: z.number().min(0).default(1),
  /** Mean confidence may drop by this much (absolute). */
  maxConfidenceDrop: z.number().min(0).max(1).default(0.1),
  /** Mean KNN distance may grow to baseline × this. */
  maxKnnDistanceRatio: z.number().min(1).default(1.5),
  /** Inference latency p95 may grow to baseline × this. */
  maxLatencyP95Ratio: z.number().min(1).default(2),
  /** Device program restarts per device during the wave. */
  maxRestartsPerDevice: z.number().min(0).default(1),
  /**
   * Rates and means are judged once the wave's installed devices have run this many hours on the
   * new version (and always at the end of the soak); install failures and restarts at once.
   */
  minDeviceHours: z.number().min(0).default(1),
  /**
   * One-sided significance level: a rate or mean breaches only when the chance of seeing the
   * candidate's value if it truly sat at the limit is below this (a Poisson test for drift
   * episodes, a Welch t-test over devices for the means and the latency p95).
   */
  significance: z.number().gt(0).max(0.5).default(0.01),
  /** Fewer drift episodes than this in the wave never breach, whatever the rate. */
  minDriftEpisodes: z.number().int().min(1).default(3),
  /** A device counts towards the means once it sent this many prediction samples. */
  minPredictionsPerDevice: z.number().int().min(1).default(20),
});
export type RolloutThresholds = z.infer<typeof RolloutThresholds>;

/**
 * `POST /api/v1/rollouts` body.
 * @example
 * { "deployable": { "kind": "model", "modelId": "fashion-mnv2", "version": "1.1.0" },
 *   "target": { "kind": "group", "group": "shelf" }, "waves": [{ "devices": 2 }, { "percent": 100 }],
 *   "soakSeconds": 3600 }
 */
export const RolloutRequest = z.strictObject({
  deployable: RolloutDeployable,
  target: RolloutTarget,
  waves: z.array(RolloutWave).min(1).max(10).default(DEFAULT_WAVES),
  /** How long each wave runs before it is judged and the next one starts. */
  soakSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(3600),
  baseline: z.enum(['rest-of-fleet', 'same-devices']).default('rest-of-fleet'),
  thresholds: RolloutThresholds.prefault({}),
  /** On a halt, send the wave's devices back to what they ran before. */
  rollbackOnHalt: z.boolean().default(true),
  /** Start the next wave by itself after a healthy soak; false waits for an operator's promote. */
  autoPromote: z.boolean().default(true),
});
export type RolloutRequest = z.infer<typeof RolloutRequest>;

export const ROLLOUT_STATES = ['running', 'paused', 'halted', 'aborted', 'completed'] as const;
export const RolloutState = z.enum(ROLLOUT_STATES);
export type RolloutState = z.infer<typeof RolloutState>;

/** `POST /api/v1/rollouts/:id/actions` body. `promote` starts the next wave now, skipping the rest of the soak. */
export const RolloutAction = z.strictObject({
  action: z.enum(['pause', 'resume', 'abort', 'promote', 'rollback']),
  reason: z.string().max(500).optional(),
});
export type RolloutAction = z.infer<typeof RolloutAction>;

/** The states each action may be taken from (the server refuses the rest with CONFLICT). */
export const ROLLOUT_ACTION_STATES: Readonly<Record<RolloutAction['action'], readonly RolloutState[]>> = {
  pause: ['running'],
  resume: ['paused'],
  abort: ['running', 'paused', 'halted'],
  promote: ['running', 'paused'],
  rollback: ['running', 'paused', 'halted', 'aborted'],
};

export const HEALTH_SIGNALS = [
  'install-failures',
  'drift-episodes',
  'confidence',
  'knn-distance',
  'latency-p95',
  'restarts',
] as const;

/** One health signal of a wave against its baseline and limit (`null`: no data yet). */
export const HealthSignal = z.strictObject({
  signal: z.enum(HEALTH_SIGNALS),
  candidate: z.number().nullable(),
  baseline: z.number().nullable(),
  /** The value the candidate may not pass (below for confidence, above for the rest). */
  limit: z.number().nullable(),
  breached: z.boolean(),
  /** The test's p-value (chance of the candidate's value were it at the limit), when it ran. */
  pValue: z.number().min(0).max(1).nullable().optional(),
  /** Why a signal was not judged yet, e.g. `2 episodes, breach needs 3`. */
  note: z.string().nullable().optional(),
});
export type HealthSignal = z.infer<typeof HealthSignal>;

/** Where one device of a rollout stands. */
export const ROLLOUT_DEVICE_STATES = ['assigned', 'installed', 'failed', 'rolled-back'] as const;

export const RolloutDevice = z.strictObject({
  deviceId: Id,
  name: z.string(),
  state: z.enum(ROLLOUT_DEVICE_STATES),
  message: z.string().nullable(),
  /** What it ran before the rollout reached it (restored on rollback). */
  previous: z.string().nullable(),
});
export type RolloutDevice = z.infer<typeof RolloutDevice>;

export const RolloutWaveView = z.strictObject({
  index: z.number().int().nonnegative(),
  plannedDevices: z.number().int().nonnegative(),
  startedAt: Timestamp.nullable(),
  soakUntil: Timestamp.nullable(),
  completedAt: Timestamp.nullable(),
  devices: z.array(RolloutDevice),
  health: z.array(HealthSignal),
  deviceHours: z.number().nonnegative(),
});
export type RolloutWaveView = z.infer<typeof RolloutWaveView>;

/** One rollout as `GET /api/v1/rollouts/:id` shows it. */
export const RolloutView = z.strictObject({
  schemaVersion: SchemaVersion1,
  id: Id,
  plan: RolloutRequest,
  /** The version the alias named when the rollout started (model rollouts). */
  version: Version,
  state: RolloutState,
  currentWave: z.number().int().nonnegative(),
  haltReason: z.string().nullable(),
  createdAt: Timestamp,
  createdBy: z.string().nullable(),
  updatedAt: Timestamp,
  waves: z.array(RolloutWaveView),
});
export type RolloutView = z.infer<typeof RolloutView>;

/** `GET /api/v1/rollouts` answer, newest first. */
export const RolloutList = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(RolloutView.omit({ schemaVersion: true, waves: true })),
});
export type RolloutList = z.infer<typeof RolloutList>;

/** One audited state change of a rollout. */
export const RolloutAuditEntry = z.strictObject({
  seq: z.number().int().positive(),
  at: Timestamp,
  actor: z.string(),
  action: z.string(),
  fromState: RolloutState.nullable(),
  toState: RolloutState,
  wave: z.number().int().nonnegative(),
  reason: z.string().nullable(),
});
export type RolloutAuditEntry = z.infer<typeof RolloutAuditEntry>;

/** `GET /api/v1/rollouts/:id/audit` answer, oldest first. */
export const RolloutAuditList = z.strictObject({ schemaVersion: SchemaVersion1, items: z.array(RolloutAuditEntry) });
export type RolloutAuditList = z.infer<typeof RolloutAuditList>;
