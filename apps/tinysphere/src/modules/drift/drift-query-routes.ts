import {
  Id,
  SampleStatus,
  TinyMLOpsError,
  type DriftEpisodeSummary,
  type DriftSampleSummary,
} from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { EPISODE_SAMPLE_COUNTS, SAMPLE_DELIVERY, toDriftSampleSummary } from './drift-sample-view.js';

/** Read-only drift views for people: episodes, samples, a sample's image and features. */
export function registerDriftQueryRoutes(app: FastifyInstance, ctx: AppContext): void {
  const viewer = requireRole(ctx, 'viewer');
  app.get(
    '/api/v1/drift/episodes',
    {
      preValidation: viewer,
      schema: {
        tags: ['drift'],
        querystring: z.strictObject({
          deviceId: Id.optional(),
          open: z.enum(['true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (req) => {
      const q = req.query as { deviceId?: string; open?: 'true' | 'false'; limit: number };
      let query = ctx.db
        .selectFrom('drift_episodes as e')
        .selectAll('e')
        .leftJoin('devices as d', 'd.id', 'e.device_id')
        .select('d.name as device_name')
        .select(EPISODE_SAMPLE_COUNTS);
      if (q.deviceId) query = query.where('e.device_id', '=', q.deviceId);
      if (q.open === 'true') query = query.where('e.ended_at', 'is', null);
      if (q.open === 'false') query = query.where('e.ended_at', 'is not', null);
      const rows = await query.orderBy('e.started_at', 'desc').limit(q.limit).execute();
      const items: DriftEpisodeSummary[] = rows.map((r) => ({
        deviceId: r.device_id,
        episodeId: r.episode_id,
        detector: { kind: r.detector_kind, name: r.detector_name },
        startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
        endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
        open: r.ended_at === null,
        statistics: r.statistics,
        samples: r.samples.total,
        pendingSamples: r.samples.pending,
        deviceName: r.device_name ?? r.device_id,
        thumbnail: r.samples.thumb ? { deviceId: r.device_id, sampleId: r.samples.thumb } : null,
      }));
      return { schemaVersion: 1, items };
    },
  );
  app.get(
    '/api/v1/drift/samples',
    {
      preValidation: viewer,
      schema: {
        tags: ['drift'],
        querystring: z.strictObject({
          deviceId: Id.optional(),
          episodeId: Id.optional(),
          status: SampleStatus.optional(),
          offset: z.coerce.number().int().nonnegative().default(0),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (req) => {
      const q = req.query as {
        deviceId?: string;
        episodeId?: string;
        status?: DriftSampleSummary['status'];
        offset: number;
        limit: number;
      };
      let query = ctx.db.selectFrom('drift_samples').selectAll().select(SAMPLE_DELIVERY);
      if (q.deviceId) query = query.where('device_id', '=', q.deviceId);
      if (q.episodeId) query = query.where('episode_id', '=', q.episodeId);
      if (q.status) query = query.where('status', '=', q.status);
      const rows = await query
        .orderBy('captured_at', 'desc')
        .orderBy('sample_id')
        .offset(q.offset)
        .limit(q.limit)
        .execute();
      return { schemaVersion: 1, items: rows.map(toDriftSampleSummary) };
    },
  );
  app.get(
    '/api/v1/drift/samples/:deviceId/:sampleId/:part',
    {
      preValidation: viewer,
      schema: {
        tags: ['drift'],
        params: z.strictObject({ deviceId: Id, sampleId: Id, part: z.enum(['image', 'features']) }),
      },
    },
    async (req, reply) => {
      const p = req.params as { deviceId: string; sampleId: string; part: 'image' | 'features' };
      const row = await ctx.db
        .selectFrom('drift_samples')
        .select([
          'image_key',
          'image_offset',
          'image_length',
          'image_media_type',
          'features_key',
          'features_offset',
          'feature_dim',
        ])
        .where('device_id', '=', p.deviceId)
        .where('sample_id', '=', p.sampleId)
        .executeTakeFirst();
      const range: [string, number, number] | null = !row
        ? null
        : p.part === 'features'
          ? [row.features_key, row.features_offset, row.feature_dim * 4]
          : row.image_key
            ? [row.image_key, row.image_offset ?? 0, row.image_length ?? 0]
            : null;
      const bytes = range ? await ctx.blobs.getRange(range[0], range[1], range[2]) : null;
      if (!row || !bytes)
        throw new TinyMLOpsError('NOT_FOUND', `no ${p.part} for drift sample ${p.deviceId}/${p.sampleId}`);
      return reply
        .type(p.part === 'image' ? (row.image_media_type ?? 'application/octet-stream') : 'application/octet-stream')
        .send(bytes);
    },
  );
}
