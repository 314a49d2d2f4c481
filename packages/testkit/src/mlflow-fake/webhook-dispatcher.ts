import { createHmac, randomUUID } from 'node:crypto';
import { invalid, notFound } from './mlflow-fake-error.js';
import type { RegistryEvent } from './registry-store.js';

/** `WebhookEvent` (webhooks.proto): enum names on the wire, e.g. `{ entity: 'MODEL_VERSION', action: 'CREATED' }`. */
export interface WebhookEventJson {
  entity: string;
  action: string;
}

interface Webhook {
  webhook_id: string;
  name: string;
  url: string;
  events: WebhookEventJson[];
  secret?: string;
  status: 'ACTIVE' | 'DISABLED';
  creation_timestamp: number;
  last_updated_timestamp: number;
}

/** One delivery attempt, for tests to look at. */
export interface WebhookDelivery {
  webhookId: string;
  event: string;
  status: number | null;
  error?: string;
}

/**
 * Model-registry webhooks as MLflow 3 sends them (`mlflow/webhooks/delivery.py`): a POST of
 * `{"entity", "action", "timestamp", "data"}` with headers `X-MLflow-Delivery-Id`,
 * `X-MLflow-Timestamp` (unix seconds) and, when the webhook has a secret,
 * `X-MLflow-Signature: v1,<base64 HMAC-SHA256 of "<delivery id>.<timestamp>.<body>">`.
 */
export class WebhookDispatcher {
  readonly webhooks = new Map<string, Webhook>();
  readonly deliveries: WebhookDelivery[] = [];
  #pending = new Set<Promise<void>>();

  constructor(private readonly now: () => number) {}

  create(body: { name?: string; url?: string; events?: WebhookEventJson[]; secret?: string; status?: string }) {
    if (!body.name || !body.url || !body.events?.length)
      throw invalid("Missing value for required parameter 'name', 'url' or 'events'");
    const t = this.now();
    const hook: Webhook = {
      webhook_id: randomUUID().replace(/-/g, ''),
      name: body.name,
      url: body.url,
      events: body.events.map((e) => ({ entity: e.entity.toUpperCase(), action: e.action.toUpperCase() })),
      ...(body.secret ? { secret: body.secret } : {}),
      status: body.status === 'DISABLED' ? 'DISABLED' : 'ACTIVE',
      creation_timestamp: t,
      last_updated_timestamp: t,
    };
    this.webhooks.set(hook.webhook_id, hook);
    return publicView(hook);
  }

  list() {
    return [...this.webhooks.values()].map(publicView);
  }

  delete(id: string): void {
    if (!this.webhooks.delete(id)) throw notFound(`Webhook with ID ${id} not found`);
  }

  /** Sends `e` to every active webhook subscribed to it, in the background. */
  dispatch(e: RegistryEvent): void {
    for (const hook of this.webhooks.values()) {
      const subscribed = hook.events.some(
        (x) => x.entity === e.entity.toUpperCase() && x.action === e.action.toUpperCase(),
      );
      if (hook.status !== 'ACTIVE' || !subscribed) continue;
      const p = this.#send(hook, e).finally(() => this.#pending.delete(p));
      this.#pending.add(p);
    }
  }

  /** Resolves once every delivery started so far has finished (tests wait on this, not on time). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async #send(hook: Webhook, e: RegistryEvent): Promise<void> {
    const body = JSON.stringify({
      entity: e.entity,
      action: e.action,
      timestamp: new Date(this.now()).toISOString(),
      data: e.data,
    });
    const deliveryId = randomUUID();
    const timestamp = String(Math.floor(this.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-mlflow-delivery-id': deliveryId,
      'x-mlflow-timestamp': timestamp,
    };
    if (hook.secret) headers['x-mlflow-signature'] = webhookSignature(hook.secret, deliveryId, timestamp, body);
    const event = `${e.entity}.${e.action}`;
    try {
      const r = await fetch(hook.url, { method: 'POST', headers, body });
      await r.arrayBuffer();
      this.deliveries.push({ webhookId: hook.webhook_id, event, status: r.status });
    } catch (err) {
      this.deliveries.push({ webhookId: hook.webhook_id, event, status: null, error: (err as Error).message });
    }
  }
}

/** `_generate_hmac_signature` of `mlflow/webhooks/delivery.py`. */
export function webhookSignature(secret: string, deliveryId: string, timestamp: string, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${deliveryId}.${timestamp}.${body}`).digest('base64')}`;
}

function publicView(h: Webhook) {
  const { secret: _secret, ...rest } = h;
  return rest;
}
