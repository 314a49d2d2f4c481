import {
  BulkValidationRequest,
  DriftRateSeries,
  Id,
  ReanalysisRequest,
  ReanalysisResult,
  TinyMLOpsError,
  ValidationRequest,
  ValidationResult,
} from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { driftRates } from './drift-rates.js';
import { registerDriftQueryRoutes } from './drift-query-routes.js';
import { reanalyse } from './reanalysis.js';
import { rejectSample, validateSample } from './validation.js';

const SampleParams = z.strictObject({ deviceId: Id, sampleId: Id });

/** Validation, aggregates and re-analysis for people (devices pull feedback from the feedback module). */
export function registerDriftRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/api/v1/drift/samples/:deviceId/:sampleId/validation',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: { tags: ['drift'], params: SampleParams, body: ValidationRequest, response: { 200: ValidationResult } },
    },
    async (req) => {
      const p = req.params as z.infer<typeof SampleParams>;
      return validateSample(ctx, p.deviceId, p.sampleId, req.body as ValidationRequest, req.person?.name ?? 'unknown');
    },
  );
  app.post(
    '/api/v1/drift/samples/:deviceId/:sampleId/rejection',
    { preValidation: requireRole(ctx, 'engineer'), schema: { tags: ['drift'], params: SampleParams } },
    async (req, reply) => {
      const p = req.params as z.infer<typeof SampleParams>;
      await rejectSample(ctx, p.deviceId, p.sampleId, req.person?.name ?? 'unknown');
      return reply.status(204).send();
    },
  );
  app.post(
    '/api/v1/drift/validations',
    { preValidation: requireRole(ctx, 'engineer'), schema: { tags: ['drift'], body: BulkValidationRequest } },
    async (req) => {
      const results: ValidationResult[] = [];
      for (const item of (req.body as BulkValidationRequest).items) {
        try {
          results.push(
            await validateSample(ctx, item.deviceId, item.sampleId, item.validation, req.person?.name ?? 'unknown'),
          );
        } catch (err) {
          if (!(err instanceof TinyMLOpsError) || err.status >= 500) throw err;
          results.push({
            deviceId: item.deviceId,
            sampleId: item.sampleId,
            ok: false,
            error: `${err.code}: ${err.message}`,
          });
        }
      }
      return { schemaVersion: 1, results };
    },
  );
  app.get(
    '/api/v1/drift/rates',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['drift'],
        querystring: z.strictObject({
          by: z.enum(['device', 'model', 'class']).default('device'),
          bucketSeconds: z.coerce
            .number()
            .int()
            .min(60)
            .max(30 * 86_400)
            .default(3600),
          since: z.iso.datetime({ offset: true }).optional(),
          /** Only the keys with the most episodes in the range (the Overview asks for 10 devices). */
          top: z.coerce.number().int().min(1).max(1000).optional(),
        }),
        response: { 200: DriftRateSeries },
      },
    },
    async (req) => {
      const q = req.query as { by: DriftRateSeries['by']; bucketSeconds: number; since?: string; top?: number };
      const since = q.since ? new Date(q.since) : new Date(ctx.now().getTime() - 7 * 86_400_000);
      return driftRates(ctx, q.by, q.bucketSeconds, since, q.top);
    },
  );
  app.post(
    '/api/v1/drift/devices/:deviceId/reanalysis',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: {
        tags: ['drift'],
        params: z.strictObject({ deviceId: Id }),
        body: ReanalysisRequest,
        response: { 200: ReanalysisResult },
      },
    },
    async (req) => reanalyse(ctx, (req.params as { deviceId: string }).deviceId, req.body as ReanalysisRequest),
  );
  registerDriftQueryRoutes(app, ctx);
}
