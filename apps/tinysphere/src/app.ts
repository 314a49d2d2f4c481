import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { sql } from 'kysely';
import { DEFAULT_CONFIG, type AppContext, type ServerConfig } from './app-context.js';
import { installErrorHandling } from './http/error-handler.js';
import { installInputGuard } from './http/input-guard.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { installZodValidation, zodToOpenApi } from './http/zod-validation.js';
import { registerDashboardRoutes } from './modules/dashboard/dashboard-routes.js';
import { registerDeploymentRuleRoutes } from './modules/dashboard/deployment-rules-routes.js';
import { liveHub, publishingIngest } from './modules/dashboard/live-hub.js';
import { registerLiveRoutes } from './modules/dashboard/live-routes.js';
import { registerReviewQueueRoutes } from './modules/dashboard/review-queue-routes.js';
import { registerAccessRoutes } from './modules/devices/access-routes.js';
import { registerDeviceTableRoutes } from './modules/devices/device-table-routes.js';
import { registerDeviceTimelineRoutes } from './modules/devices/device-timeline-routes.js';
import { registerPredictionImageRoutes } from './modules/devices/prediction-image-routes.js';
import { registerDriftReviewRoutes } from './modules/drift/drift-review-routes.js';
import { registerOverviewRoutes } from './modules/metrics/overview-routes.js';
import { registerModelVersionRoutes } from './modules/models/model-version-routes.js';
import { registerDeploymentRoutes } from './modules/deployments/deployment-routes.js';
import { registerDeviceRoutes } from './modules/devices/device-routes.js';
import { registerExportRoutes } from './modules/exports/export-routes.js';
import { installAuth, requireRole } from './modules/devices/auth.js';
import { registerDriftRoutes } from './modules/drift/drift-routes.js';
import { registerAdaptationRoutes } from './modules/adaptations/adaptation-routes.js';
import { registerDeviceSettingsRoutes } from './modules/device-settings/device-settings-routes.js';
import { registerFeedbackRoutes } from './modules/feedback/feedback-routes.js';
import { registerFleetLearningRoutes } from './modules/fleet-learning/fleet-learning-routes.js';
import type { DetectorFactory } from './modules/drift/reanalysis.js';
import { tinylcmDetectorFactory } from './modules/drift/tinylcm-detectors.js';
import { registerMetricsRoutes } from './modules/metrics/metrics-routes.js';
import { createServerMetrics } from './modules/metrics/server-metrics.js';
import { createMlflowImportHandler } from './modules/mlflow/import-job.js';
import { FIELD_METRICS_JOB, logFieldMetrics } from './modules/mlflow/field-runs.js';
import { MLFLOW_IMPORT_JOB } from './modules/mlflow/import-records.js';
import { registerMlflowRoutes } from './modules/mlflow/mlflow-routes.js';
import { startMlflowSchedule } from './modules/mlflow/mlflow-scheduler.js';
import { registerModelRoutes } from './modules/models/model-routes.js';
import { createIngestHandler } from './modules/packages/ingest-job.js';
import { MaintenanceSchedule } from './modules/packages/maintenance-schedule.js';
import { registerPackageRoutes } from './modules/packages/package-routes.js';
import { registerConfigVersionRoutes } from './modules/configs/config-version-routes.js';
import { registerRolloutRoutes } from './modules/rollouts/rollout-routes.js';
import { RolloutSchedule } from './modules/rollouts/rollout-schedule.js';
import type { BlobStore } from './storage/blob-store.js';
import type { Db } from './storage/database.js';
import { JobWorker } from './storage/job-worker.js';

/** What `buildApp` needs. */
export interface AppOptions {
  db: Db;
  blobs: BlobStore;
  config?: Partial<ServerConfig>;
  /** pino options, or false for silence (tests). */
  logger?: FastifyServerOptions['logger'];
  /** In-process job workers (default 2); 0 for an API-only process (`serve --no-workers`). */
  workers?: number;
  detectorFactory?: DetectorFactory;
  now?: () => Date;
  /** Serve HTTPS with this key and certificate (PEM); also turns on Strict-Transport-Security. */
  tls?: { key: Buffer; cert: Buffer };
}

/** A built server: the Fastify instance, its context, its in-process worker (if any) and maintenance schedule. */
export interface App {
  readonly http: FastifyInstance;
  readonly ctx: AppContext;
  readonly worker: JobWorker | null;
  /** Pruning and sweeping on the server's own schedule (started when `maintenanceIntervalMs` > 0). */
  readonly maintenance: MaintenanceSchedule;
  close(): Promise<void>;
}

/**
 * Builds the TinySphere HTTP app: device API under /device/v1, people API under /api/v1, docs at
 * /docs, probes and Prometheus metrics. Does not listen; call `app.http.listen()`.
 * @example
 * const app = await buildApp({ db, blobs });
 * await app.http.listen({ port: 8080, host: '127.0.0.1' });
 */
export async function buildApp(options: AppOptions): Promise<App> {
  const metrics = createServerMetrics();
  let worker: JobWorker | null = null;
  const ctx: AppContext = {
    db: options.db,
    blobs: options.blobs,
    config: { ...DEFAULT_CONFIG, ...options.config },
    metrics,
    now: options.now ?? (() => new Date()),
    jobEnqueued: () => worker?.wake(),
    detectorFactory: options.detectorFactory ?? tinylcmDetectorFactory,
  };
  const http = Fastify({
    logger: options.logger ?? false,
    genReqId: () => `req-${randomUUID()}`,
    bodyLimit: 1024 * 1024,
    // A device stalling mid-body (flaky Wi-Fi) must not hold its connection, and its upload, for ever.
    connectionTimeout: ctx.config.connectionIdleTimeoutMs,
    requestTimeout: ctx.config.requestTimeoutMs,
    trustProxy: ctx.config.trustProxy,
    ...(options.tls ? { https: options.tls } : {}),
  });
  // JSON bodies only (plus the gzip routes' own parser): anything else is a 415, not a string body.
  http.removeContentTypeParser('text/plain');
  installZodValidation(http);
  installErrorHandling(http);
  installAuth(http, ctx);
  installInputGuard(http);
  installSecurityHeaders(http, { hsts: options.tls !== undefined });
  http.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  await http.register(swagger, {
    openapi: {
      info: {
        title: 'TinySphere',
        version: '0.1.0',
        description: 'TinyMLOps fleet server: device API (/device/v1) and people API (/api/v1).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: zodToOpenApi,
  });
  if (ctx.config.docs) await http.register(swaggerUi, { routePrefix: '/docs' });
  registerProbes(http, ctx);
  registerDeviceRoutes(http, ctx);
  registerPackageRoutes(http, ctx);
  registerDriftRoutes(http, ctx);
  registerFeedbackRoutes(http, ctx);
  registerAdaptationRoutes(http, ctx);
  registerFleetLearningRoutes(http, ctx);
  registerDeviceSettingsRoutes(http, ctx);
  registerModelRoutes(http, ctx);
  registerDeploymentRoutes(http, ctx);
  registerMetricsRoutes(http, ctx);
  registerOverviewRoutes(http, ctx);
  registerAccessRoutes(http, ctx);
  registerDeviceTimelineRoutes(http, ctx);
  registerPredictionImageRoutes(http, ctx);
  registerDeviceTableRoutes(http, ctx);
  registerDriftReviewRoutes(http, ctx);
  registerModelVersionRoutes(http, ctx);
  registerExportRoutes(http, ctx);
  registerMlflowRoutes(http, ctx);
  registerConfigVersionRoutes(http, ctx);
  registerRolloutRoutes(http, ctx);
  registerReviewQueueRoutes(http, ctx);
  registerLiveRoutes(http, ctx);
  registerDeploymentRuleRoutes(http, ctx);
  await registerDashboardRoutes(http, ctx);
  const workers = options.workers ?? 2;
  const warn = (msg: string, err: unknown) => http.log.warn({ err }, msg);
  if (workers > 0) {
    worker = createWorker(ctx, workers, warn);
    worker.start();
  }
  const mlflowSchedule = startMlflowSchedule(ctx, (msg, err) => http.log.warn({ err }, msg));
  const maintenance = new MaintenanceSchedule(ctx, warn);
  maintenance.start();
  const rollouts = new RolloutSchedule(ctx, warn, () => liveHub(ctx).publish(['rollouts']));
  rollouts.start();
  return {
    http,
    ctx,
    worker,
    maintenance,
    close: async () => {
      mlflowSchedule.stop();
      await maintenance.stop();
      await rollouts.stop();
      await worker?.stop();
      await http.close();
    },
  };
}

/**
 * A job worker with every handler of the server; `tinysphere worker` runs just this.
 * @example
 * const w = createWorker(ctx, 4, console.warn); w.start();
 */
export function createWorker(
  ctx: AppContext,
  concurrency: number,
  warn: (msg: string, err: unknown) => void,
): JobWorker {
  return new JobWorker(
    ctx.db,
    {
      'ingest-package': publishingIngest(createIngestHandler(ctx), liveHub(ctx)),
      [MLFLOW_IMPORT_JOB]: createMlflowImportHandler(ctx),
      [FIELD_METRICS_JOB]: async () => void (await logFieldMetrics(ctx)),
    },
    {
      concurrency,
      idlePollMs: 100,
      onError: (job, err, dead) => {
        ctx.metrics.jobs.inc({ kind: job.kind, outcome: dead ? 'dead' : 'retry' });
        warn(`job ${job.id} (${job.kind}) failed${dead ? ' and was dead-lettered' : '; will retry'}`, err);
      },
    },
  );
}

function registerProbes(http: FastifyInstance, ctx: AppContext): void {
  http.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  http.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await sql`SELECT 1`.execute(ctx.db);
      await ctx.blobs.head('readyz-probe');
      return { status: 'ready' };
    } catch (err) {
      reply.log.warn({ err }, 'not ready');
      return reply.status(503).send({ error: { code: 'UNAVAILABLE', message: 'database or blob store unavailable' } });
    }
  });
  if (ctx.config.metricsAccess === 'off') return;
  const onRequest = ctx.config.metricsAccess === 'token' ? [requireRole(ctx, 'viewer')] : [];
  http.get('/metrics', { schema: { hide: true }, onRequest }, async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
