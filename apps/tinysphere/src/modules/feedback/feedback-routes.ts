import {
  DELIVERY_STATUSES,
  FeedbackAck,
  FeedbackAckV2,
  FeedbackDeliveryList,
  FeedbackPage,
  FeedbackPageV2,
  Id,
} from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { deviceOf, requireDevice, requireRole } from '../devices/auth.js';
import { reconcileSettings } from '../device-settings/settings-resolution.js';
import { catchUpShares } from '../fleet-learning/share-catch-up.js';
import { feedbackDeliveries } from './feedback-deliveries.js';
import { ackFeedback } from './feedback-ack.js';
import { feedbackPageV1, feedbackPageV2 } from './feedback-page.js';

const PageQuery = z.strictObject({
  after: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** 2: the v2 page (every kind of item, labels with features); absent or 1: what old devices parse. */
  v: z.enum(['1', '2']).default('1'),
});

/**
 * A device's inbox: pull (v1 or v2 page) and acknowledge (v1 cursor, or v2 with per-item
 * outcomes); people see each item's delivery.
 */
export function registerFeedbackRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/device/v1/feedback',
    {
      preValidation: requireDevice(ctx),
      schema: { tags: ['device'], querystring: PageQuery, response: { 200: z.union([FeedbackPage, FeedbackPageV2]) } },
    },
    async (req) => {
      const q = req.query as z.infer<typeof PageQuery>;
      const deviceId = deviceOf(req);
      if (q.v === '1') return feedbackPageV1(ctx, deviceId, q.after, q.limit);
      // A v2 device pulls after boot and after a model switch: the moment to hand it the labels
      // shared while it was not (yet) running this model or not (yet) in the fleet, and the
      // settings of a group it joined since.
      await catchUpShares(ctx, deviceId);
      await ctx.db.transaction().execute((tx) => reconcileSettings(tx, deviceId, ctx.now()));
      return feedbackPageV2(ctx, deviceId, q.after, q.limit);
    },
  );
  app.post(
    '/device/v1/feedback/ack',
    {
      preValidation: requireDevice(ctx),
      schema: { tags: ['device'], body: z.union([FeedbackAck, FeedbackAckV2]) },
    },
    async (req, reply) => {
      await ackFeedback(ctx, deviceOf(req), req.body as FeedbackAck | FeedbackAckV2);
      return reply.status(204).send();
    },
  );
  app.get(
    '/api/v1/feedback/deliveries',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['feedback'],
        querystring: z.strictObject({
          deviceId: Id.optional(),
          sampleId: Id.optional(),
          sourceDeviceId: Id.optional(),
          status: z.enum(DELIVERY_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(200),
        }),
        response: { 200: FeedbackDeliveryList },
      },
    },
    async (req) => feedbackDeliveries(ctx, req.query as Parameters<typeof feedbackDeliveries>[1]),
  );
}
