import { Id, PackageReceipt, Sha256, TinyMLOpsError } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { mediaTypeOf } from '../../http/input-guard.js';
import { deviceOf, principalOf, requireDevice, requireRole } from '../devices/auth.js';
import { QuotaGate } from './device-quota.js';
import { PackageCommitter } from './package-committer.js';
import { acceptPackage, findPackage, receipt } from './package-upload.js';
import { UploadMemoryBudget } from './upload-memory-budget.js';

const PackageParams = z.strictObject({ packageId: Id });

/** Package upload and receipts (/device/v1), package listing (/api/v1). */
export function registerPackageRoutes(app: FastifyInstance, ctx: AppContext): void {
  const committer = new PackageCommitter(ctx);
  const quotas = new QuotaGate(ctx.config.quotas, storedRetrySeconds(ctx.config.maintenanceIntervalMs));
  const memory = new UploadMemoryBudget(ctx.config.uploadMemoryBytes, {
    inUse: ctx.metrics.uploadBytesInMemory,
    refused: ctx.metrics.uploadsRefusedForMemory,
  });
  // The body stays a stream: the upload route hashes it into the blob store itself.
  app.addContentTypeParser(['application/gzip', 'application/x-gzip'], (_req, payload, done) => done(null, payload));

  app.put(
    '/device/v1/packages/:packageId',
    {
      preValidation: requireDevice(ctx),
      schema: { tags: ['device'], params: PackageParams, response: { 200: PackageReceipt, 202: PackageReceipt } },
    },
    async (req, reply) => {
      const type = mediaTypeOf(req.headers['content-type']);
      if (type !== 'application/gzip' && type !== 'application/x-gzip') {
        throw new TinyMLOpsError('UNSUPPORTED_MEDIA_TYPE', 'packages are uploaded as Content-Type: application/gzip');
      }
      const declared = Sha256.safeParse(req.headers['x-content-sha256']);
      if (!declared.success)
        throw new TinyMLOpsError(
          'VALIDATION_FAILED',
          'header X-Content-SHA256 must be the lower-case hex sha256 of the body',
        );
      const header = req.headers['content-length'];
      const length = header === undefined ? undefined : Number(header);
      if (length !== undefined && length > ctx.config.maxArchiveBytes)
        throw new TinyMLOpsError('PAYLOAD_TOO_LARGE', `package exceeds ${ctx.config.maxArchiveBytes} bytes`);
      const { deviceId, usage } = principalOf(req);
      const { receipt: r, created } = await acceptPackage(
        ctx,
        { committer, quotas, memory },
        {
          deviceId,
          usage,
          packageId: (req.params as { packageId: string }).packageId,
          declaredSha256: declared.data,
          ...(length !== undefined && Number.isFinite(length) ? { length } : {}),
          body: req.body as Readable,
        },
      );
      return reply.status(created ? 202 : 200).send(r);
    },
  );

  app.get(
    '/device/v1/packages/:packageId',
    {
      preValidation: requireDevice(ctx),
      schema: { tags: ['device'], params: PackageParams, response: { 200: PackageReceipt } },
    },
    async (req) => {
      const packageId = (req.params as { packageId: string }).packageId;
      const row = await findPackage(ctx, deviceOf(req), packageId);
      if (!row) throw new TinyMLOpsError('NOT_FOUND', `package ${packageId} not found`);
      return receipt(row, false);
    },
  );

  app.get(
    '/api/v1/packages',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['packages'],
        querystring: z.strictObject({
          deviceId: Id.optional(),
          status: z.enum(['queued', 'processing', 'ingested', 'failed']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (req) => {
      const q = req.query as {
        deviceId?: string;
        status?: 'queued' | 'processing' | 'ingested' | 'failed';
        limit: number;
      };
      let query = ctx.db
        .selectFrom('packages')
        .select([
          'device_id',
          'package_id',
          'sha256',
          'size',
          'status',
          'types',
          'received_at',
          'ingested_at',
          'error',
        ]);
      if (q.deviceId) query = query.where('device_id', '=', q.deviceId);
      if (q.status) query = query.where('status', '=', q.status);
      const rows = await query.orderBy('received_at', 'desc').limit(q.limit).execute();
      return { schemaVersion: 1, items: rows };
    },
  );
}

/** Retry-After for a device over its storage quota: until the next maintenance run may have freed space (1 min–1 h). */
function storedRetrySeconds(maintenanceIntervalMs: number): number {
  return Math.min(3600, Math.max(60, maintenanceIntervalMs / 1000));
}
