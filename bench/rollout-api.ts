/**
 * The people API calls `npm run eval:rollout` makes against a real `tinysphere serve`.
 */
import { RolloutAuditList, RolloutView, type RolloutRequest } from '@tinymlops/contracts';
import { z } from 'zod';
import { buildBundle } from '../apps/tinysphere/src/testing/bundle-archive.js';

/** A client for one server and API token. */
export class RolloutApi {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async call(method: string, route: string, body?: unknown, raw?: Buffer): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw) headers['content-type'] = 'application/gzip';
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const r = await fetch(this.url + route, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${route}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Uploads a (small, synthetic) model bundle version. */
  async uploadModel(modelId: string, version: string): Promise<void> {
    const { tgz } = await buildBundle(modelId, version);
    await this.call('POST', '/api/v1/models/bundles', undefined, tgz);
  }

  async newConfig(configId: string, version: string, config: unknown): Promise<void> {
    await this.call('POST', `/api/v1/configs/${configId}/versions`, { version, config });
  }

  async startRollout(req: z.input<typeof RolloutRequest>): Promise<RolloutView> {
    return RolloutView.parse(await this.call('POST', '/api/v1/rollouts', req));
  }

  async rollout(id: string): Promise<RolloutView> {
    return RolloutView.parse(await this.call('GET', `/api/v1/rollouts/${id}`));
  }

  async audit(id: string): Promise<RolloutAuditList> {
    return RolloutAuditList.parse(await this.call('GET', `/api/v1/rollouts/${id}/audit`));
  }

  /** Polls until the rollout completes, halts or is aborted (or `timeoutMs` passes). */
  async settle(id: string, timeoutMs: number): Promise<RolloutView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.rollout(id);
      if (r.state !== 'running' && r.state !== 'paused') return r;
      if (Date.now() > until) throw new Error(`rollout ${id} still ${r.state} after ${timeoutMs / 1000} s`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }
}
