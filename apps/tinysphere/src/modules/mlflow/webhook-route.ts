import { TinyMLOpsError } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { mlflowOf } from './mlflow-context.js';
import { WebhookDelivery } from './mlflow-wire.js';
import { importOrFollow } from './registry-poller.js';
import { verifyWebhook } from './webhook-signature.js';

/**
 * `POST /api/v1/mlflow/webhook`: MLflow 3's model-registry webhook (create it for the events
 * `model_version_alias.created` and `model_version.created`, with the shared secret). Authenticated
 * by the HMAC signature over the raw body, not a token (MLflow cannot send one). An alias set on a
 * followed model (`models:/<name>@<alias>`), or a followed pinned version being created, queues the
 * import at once; anything else is acknowledged and ignored. Not in the OpenAPI document: it is
 * MLflow's endpoint, not a people's one (docs/mlflow.md).
 */
export function registerMlflowWebhook(app: FastifyInstance, ctx: AppContext): void {
  void app.register(async (scope) => {
    // The signature covers the exact bytes MLflow sent: keep the body as text.
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    scope.post('/api/v1/mlflow/webhook', { schema: { hide: true } }, async (req, reply) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      verifyWebhook(ctx.config.mlflow?.webhookSecret ?? null, req.headers, raw, ctx.now().getTime());
      const parsed = WebhookDelivery.safeParse(safeJson(raw));
      if (!parsed.success)
        throw new TinyMLOpsError(
          'VALIDATION_FAILED',
          `not an MLflow webhook payload: ${parsed.error.message.slice(0, 300)}`,
        );
      await handle(ctx, parsed.data);
      return reply.status(204).send();
    });
  });
}

async function handle(ctx: AppContext, d: WebhookDelivery): Promise<void> {
  const { config } = mlflowOf(ctx);
  const { name, version, alias } = d.data;
  if (!version) return;
  const event = `${d.entity}.${d.action}`;
  for (const s of config.sources.filter((x) => x.name === name)) {
    const aliasSet = event === 'model_version_alias.created' && s.alias === alias;
    const pinned = event === 'model_version.created' && s.version === version;
    if (aliasSet || pinned) await importOrFollow(ctx, { name, version, alias: s.alias, trigger: 'webhook' });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
