import { z } from 'zod';
import { Id, Label, ModelRef, SchemaVersion1, StoredCount, Timestamp } from './primitives.js';

/** True for an address or name that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * `device.json` → `output`: where the end user's application gets each prediction. JSON lines on
 * stdout (the program's own messages then go to stderr), and/or an HTTP endpoint with
 * server-sent events. The endpoint binds to loopback only, unless `allowRemote` says otherwise:
 * predictions of a camera are nobody else's business.
 */
export const LocalOutputConfig = z
  .strictObject({
    /** Write one {@link LocalPrediction} JSON line per frame to stdout. */
    jsonLines: z.boolean().default(false),
    http: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        /** 0 picks a free port (it is printed at start). */
        port: z.number().int().min(0).max(65535).default(8765),
        /** Allow `host` to be an address other machines can reach (e.g. `0.0.0.0`). */
        allowRemote: z.boolean().default(false),
        /** Most concurrent event-stream clients (default 8); more are answered 503. */
        maxClients: z.number().int().min(1).max(1000).default(8),
      })
      .superRefine((h, ctx) => {
        if (h.allowRemote || isLoopbackHost(h.host)) return;
        const message = `"${h.host}" is reachable from other machines; use 127.0.0.1, or set output.http.allowRemote`;
        ctx.addIssue({ code: 'custom', path: ['host'], input: h.host, message });
      })
      .optional(),
  })
  .prefault({});
export type LocalOutputConfig = z.infer<typeof LocalOutputConfig>;

/**
 * One prediction as the device's local output carries it (a JSON line on stdout, or the `data` of
 * a server-sent `prediction` event). `drift.active` is true for every frame of a drift episode,
 * `drift.phase` marks the frames where one starts and ends.
 * @example
 * { "schemaVersion": 1, "type": "prediction", "at": "2026-11-26T10:00:01.000Z", "frameIndex": 41,
 *   "model": { "modelId": "fashion-mnv2", "version": "1.0.0" }, "label": "sneaker", "confidence": 0.93,
 *   "meanDistance": 9.8, "latencyMs": 41.2, "drift": { "active": false, "episodeId": null, "phase": null } }
 */
export const LocalPrediction = z.strictObject({
  schemaVersion: SchemaVersion1,
  type: z.literal('prediction'),
  at: Timestamp,
  frameIndex: StoredCount,
  model: ModelRef,
  /** Null when the classifier has no samples to vote with. */
  label: Label.nullable(),
  confidence: z.number().min(0).max(1),
  /** Mean distance to the k nearest neighbours (null when undefined). */
  meanDistance: z.number().nonnegative().nullable(),
  latencyMs: z.number().nonnegative(),
  drift: z.strictObject({
    active: z.boolean(),
    episodeId: Id.nullable(),
    phase: z.enum(['start', 'end']).nullable(),
  }),
});
export type LocalPrediction = z.infer<typeof LocalPrediction>;
