import {
  FieldExportMlflowRequest,
  FieldExportMlflowResult,
  FieldMetricsResult,
  MlflowImport,
  MlflowImportList,
  MlflowImportRequest,
  MlflowStatus,
  type FieldExportQuery,
} from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { logExportToMlflow } from './export-to-mlflow.js';
import { logFieldMetrics } from './field-runs.js';
import { listImports, requestImport } from './import-records.js';
import { parseModelUri } from './mlflow-config.js';
import { mlflowOf } from './mlflow-context.js';
import { resolveSource } from './registry-poller.js';
import { registerMlflowWebhook } from './webhook-route.js';

/**
 * The people's API of the MLflow integration (`/api/v1/mlflow/…`): status, import records (failed
 * ones with their reason), import now, log field metrics now, log a field dataset to MLflow; and
 * the webhook MLflow calls. Registered always; without MLflow configured the actions answer 503.
 */
export function registerMlflowRoutes(app: FastifyInstance, ctx: AppContext): void {
  const viewer = requireRole(ctx, 'viewer');
  const engineer = requireRole(ctx, 'engineer');
  app.get(
    '/api/v1/mlflow/status',
    { preValidation: viewer, schema: { tags: ['mlflow'], response: { 200: MlflowStatus } } },
    async (): Promise<MlflowStatus> => status(ctx),
  );
  app.get(
    '/api/v1/mlflow/imports',
    { preValidation: viewer, schema: { tags: ['mlflow'], response: { 200: MlflowImportList } } },
    async (): Promise<MlflowImportList> => ({ schemaVersion: 1, items: await listImports(ctx) }),
  );
  app.post(
    '/api/v1/mlflow/imports',
    {
      preValidation: engineer,
      schema: { tags: ['mlflow'], body: MlflowImportRequest, response: { 202: MlflowImport } },
    },
    async (req, reply) => {
      const source = parseModelUri((req.body as MlflowImportRequest).modelUri);
      const version = await resolveSource(mlflowOf(ctx).client, source);
      const { record } = await requestImport(ctx, {
        name: source.name,
        version,
        alias: source.alias,
        trigger: 'manual',
      });
      return reply.status(202).send(record);
    },
  );
  app.post(
    '/api/v1/mlflow/field-metrics',
    { preValidation: engineer, schema: { tags: ['mlflow'], response: { 200: FieldMetricsResult } } },
    async (): Promise<FieldMetricsResult> => ({ schemaVersion: 1, runs: await logFieldMetrics(ctx) }),
  );
  app.post(
    '/api/v1/exports/validated-samples/mlflow',
    {
      preValidation: engineer,
      schema: {
        tags: ['exports', 'mlflow'],
        body: FieldExportMlflowRequest,
        response: { 201: FieldExportMlflowResult },
      },
    },
    async (req, reply) => reply.status(201).send(await logExportToMlflow(ctx, req.body as FieldExportQuery)),
  );
  registerMlflowWebhook(app, ctx);
}

function status(ctx: AppContext): MlflowStatus {
  const c = ctx.config.mlflow;
  return {
    schemaVersion: 1,
    enabled: c !== null,
    trackingUri: c?.trackingUri ?? null,
    auth: c?.auth.kind ?? 'none',
    sources: c?.sources.map((s) => s.uri) ?? [],
    pollSeconds: c?.pollSeconds ?? 0,
    webhook: Boolean(c?.webhookSecret),
    fieldMetrics: {
      experiment: c?.fieldExperiment ?? 'tinysphere-field',
      intervalSeconds: c?.fieldMetricsSeconds ?? 0,
    },
  };
}
