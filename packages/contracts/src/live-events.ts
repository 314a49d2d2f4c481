import { z } from 'zod';
import { Id, SchemaVersion1, Timestamp } from './primitives.js';

/** Topics a live event can name; the dashboard refreshes the views that show them. */
export const LIVE_TOPICS = ['devices', 'drift', 'models', 'adaptations', 'feedback', 'rollouts'] as const;
export const LiveTopic = z.enum(LIVE_TOPICS);
export type LiveTopic = z.infer<typeof LiveTopic>;

/**
 * One server-sent event on `GET /api/v1/live` (`event: change`, this as `data`): what changed since
 * the previous event. Changes within the server's coalescing window arrive as one event.
 */
export const LiveEvent = z.strictObject({
  schemaVersion: SchemaVersion1,
  seq: z.number().int().positive(),
  at: Timestamp,
  topics: z.array(LiveTopic).min(1),
  /** Devices the change concerns, when known (at most 100). */
  deviceIds: z.array(Id).max(100),
});
export type LiveEvent = z.infer<typeof LiveEvent>;

/**
 * A change one TinySphere process tells the others through PostgreSQL (`NOTIFY tinysphere_live`,
 * this as the payload), so the dashboards of every API process hear of an ingest a separate
 * `tinysphere worker` did. Topics and ids only: a NOTIFY payload must stay under 8000 bytes.
 */
export const LiveNotification = z.strictObject({
  schemaVersion: SchemaVersion1,
  /** The process that sent it; a process ignores its own. */
  origin: z.string().min(1).max(64),
  topics: z.array(LiveTopic).min(1),
  deviceIds: z.array(Id).max(100),
});
export type LiveNotification = z.infer<typeof LiveNotification>;
