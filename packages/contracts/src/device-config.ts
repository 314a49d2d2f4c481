import { z } from 'zod';
import { DeviceDriftDetectors } from './drift-detector-config.js';
import { INFERENCE_BACKENDS, InferenceThreadsSetting } from './inference.js';
import { LocalOutputConfig } from './local-output.js';
import { DistanceMetric, OperationalMode, SchemaVersion1 } from './primitives.js';

/** Where frames come from. */
export const SourceConfig = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('camera'),
    /** e.g. `rpicam-still -n -t 1 --width 640 --height 480 -o -` (per frame) or an ffmpeg MJPEG command. */
    command: z.string().min(1),
    mode: z.enum(['per-frame', 'mjpeg-stream']).default('per-frame'),
  }),
  z.strictObject({ type: z.literal('directory'), path: z.string().min(1), loop: z.boolean().default(false) }),
  z.strictObject({
    type: z.literal('dataset'),
    name: z.literal('fashion-mnist-sample'),
    scenario: z
      .enum(['no-drift', 'held-out-classes', 'brightness', 'contrast', 'blur', 'noise', 'class-mix'])
      .default('no-drift'),
    seed: z.number().int().default(1),
    driftAfterFrames: z.number().int().nonnegative().default(200),
  }),
  z.strictObject({
    type: z.literal('stdin'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    channels: z.union([z.literal(1), z.literal(3)]),
  }),
]);
export type SourceConfig = z.infer<typeof SourceConfig>;

/**
 * True for an `http://` URL whose host is not this machine (loopback: `localhost`, 127.0.0.0/8,
 * `::1`): a device must not send its token there in clear unless told it may.
 * @example
 * isPlainHttpToRemote('http://127.0.0.1:8080'); // false
 * isPlainHttpToRemote('http://tinysphere.local:8080'); // true
 */
export function isPlainHttpToRemote(url: string): boolean {
  const u = new URL(url);
  if (u.protocol !== 'http:') return false;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

/**
 * `device.json`: everything `tinylcm-device run` needs. Unknown keys are rejected so a typo
 * is an error naming the key, not a silently ignored setting.
 */
export const DeviceConfig = z.strictObject({
  schemaVersion: SchemaVersion1,
  name: z.string().min(1).max(128).optional(),
  mode: OperationalMode.default('monitoring-only'),
  dataDir: z.string().min(1).default('./tinylcm-data'),
  model: z.strictObject({
    bundle: z.string().min(1),
    /**
     * A JSON file `{ "<keyId>": "<ed25519 public key PEM>" }`. When set, every bundle (the first
     * one and each update) must carry a signature that verifies against one of these keys; the
     * keys the server names are then ignored.
     */
    trustedKeys: z.string().min(1).optional(),
  }),
  source: SourceConfig,
  inference: z
    .strictObject({
      intervalMs: z.number().int().nonnegative().default(1000),
      /** `auto`: the fastest backend that loads on this device (docs/tinylcm.md); else pinned. */
      backend: z.enum(['auto', ...INFERENCE_BACKENDS]).default('auto'),
      /** Threads per inference; default 1 (more pay off only on an otherwise idle device); `auto` times both. */
      threads: InferenceThreadsSetting.optional(),
    })
    .prefault({}),
  classifier: z
    .strictObject({
      /** Absent: the bundle's KNN state decides (5 when the bundle has none); set, it must agree with it. */
      k: z.number().int().min(1).max(64).optional(),
      /** Absent: the bundle's KNN state decides (euclidean when the bundle has none). */
      metric: DistanceMetric.optional(),
      capacity: z.number().int().min(1).max(100_000).default(1000),
      replacement: z.enum(['oldest-first', 'class-balanced']).default('class-balanced'),
    })
    .prefault({}),
  drift: z
    .strictObject({
      /**
       * The drift detectors, each with strict options (a misspelt option is an error naming it);
       * kinds that need labels are refused. Absent: the device's default set.
       */
      detectors: DeviceDriftDetectors.optional(),
      samplesPerEpisode: z.number().int().min(0).max(1000).default(10),
    })
    .prefault({}),
  server: z
    .strictObject({
      url: z.url(),
      enrolmentToken: z.string().min(8).optional(),
      syncIntervalSeconds: z.number().int().positive().default(30),
      /** Allow plain `http://` to a server not on this machine (tokens then travel in clear). */
      allowInsecureHttp: z.boolean().default(false),
    })
    .refine((s) => s.allowInsecureHttp || !isPlainHttpToRemote(s.url), {
      path: ['url'],
      message:
        'plain http:// to a server that is not on this machine sends the device token in clear; ' +
        'use https://, or set server.allowInsecureHttp: true (e.g. on an isolated network)',
    })
    .optional(),
  outbox: z
    .strictObject({
      budgetBytes: z
        .number()
        .int()
        .positive()
        .default(50 * 1024 * 1024),
    })
    .prefault({}),
  log: z
    .strictObject({
      budgetBytes: z
        .number()
        .int()
        .positive()
        .default(20 * 1024 * 1024),
      imageSampleRate: z.number().min(0).max(1).default(0.01),
    })
    .prefault({}),
  state: z.strictObject({ keepVersions: z.number().int().min(1).max(100).default(5) }).prefault({}),
  output: LocalOutputConfig,
});
export type DeviceConfig = z.infer<typeof DeviceConfig>;
export type DeviceConfigInput = z.input<typeof DeviceConfig>;
