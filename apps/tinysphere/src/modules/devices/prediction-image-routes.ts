import { Id, TinyMLOpsError } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { sendStoredImage } from '../../http/stored-image.js';
import { requireRole } from './auth.js';

/**
 * `GET /api/v1/devices/:deviceId/predictions/:seq/image`: the input frame of a sampled prediction
 * (a byte range of its package's prediction-images blob); 404 when the prediction has none.
 */
export function registerPredictionImageRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/devices/:deviceId/predictions/:seq/image',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['devices'],
        params: z.strictObject({
          deviceId: Id,
          seq: z.coerce
            .number()
            .int()
            .min(0)
            .max(2 ** 31 - 1),
        }),
      },
    },
    async (req, reply) => {
      const { deviceId, seq } = req.params as { deviceId: string; seq: number };
      const row = await ctx.db
        .selectFrom('prediction_records')
        .select(['image_key', 'image_offset', 'image_length', 'image_media_type'])
        .where('device_id', '=', deviceId)
        .where('seq', '=', seq)
        .executeTakeFirst();
      const bytes = row?.image_key
        ? await ctx.blobs.getRange(row.image_key, row.image_offset ?? 0, row.image_length ?? 0)
        : null;
      if (!row || !bytes) throw new TinyMLOpsError('NOT_FOUND', `no image for prediction ${deviceId}/${seq}`);
      return sendStoredImage(reply, bytes, row.image_media_type);
    },
  );
}
