import { z } from 'zod';
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
  model: z.strictObject({ bundle: z.string().min(1) }),
  source: SourceConfig,
  inference: z.strictObject({ intervalMs: z.number().int().nonnegative().default(1000) }).prefault({}),
  classifier: z
    .strictObject({
      k: z.number().int().min(1).max(64).default(5),
      metric: DistanceMetric.default('euclidean'),
      capacity: z.number().int().min(1).max(100_000).default(1000),
      replacement: z.enum(['oldest-first', 'class-balanced']).default('class-balanced'),
    })
    .prefault({}),
  drift: z
    .strictObject({
      detectors: z
        .array(z.strictObject({ kind: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }))
        .default([{ kind: 'knn-distance', options: {} }]),
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
});
export type DeviceConfig = z.infer<typeof DeviceConfig>;
export type DeviceConfigInput = z.input<typeof DeviceConfig>;
