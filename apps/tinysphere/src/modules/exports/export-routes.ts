import { FieldExportQuery } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { exportFieldDataset } from './field-export.js';

/**
 * `GET /api/v1/exports/validated-samples`: the labelled drift samples of a model as a field dataset
 * (`.tar.gz`, format tinymlops-field-dataset/v1, see docs/mlflow.md) for retraining. Engineers and
 * admins only: it holds every matching image.
 */
export function registerExportRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/exports/validated-samples',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: { tags: ['exports'], querystring: FieldExportQuery },
    },
    async (req, reply) => {
      const x = await exportFieldDataset(ctx, req.query as FieldExportQuery);
      return reply
        .type('application/gzip')
        .header('content-disposition', `attachment; filename="${x.fileName}"`)
        .header('x-dataset-count', String(x.manifest.count))
        .send(x.stream);
    },
  );
}
