import { TinyMLOpsError } from '@tinymlops/contracts';
import type { z } from 'zod';
import type { MlflowConfig } from './mlflow-config.js';
import { MlflowErrorBody } from './mlflow-wire.js';

/** Retry policy of MLflow calls: network errors, 429 and 5xx are retried with exponential backoff. */
export interface MlflowRetry {
  attempts: number;
  baseDelayMs: number;
  /** Waits between attempts (tests pass a fake that does not sleep). */
  sleep: (ms: number) => Promise<void>;
}

/** Four attempts, 250 ms doubling (with jitter): a restarting MLflow gets a few seconds. */
export const DEFAULT_RETRY: MlflowRetry = {
  attempts: 4,
  baseDelayMs: 250,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/** One request: JSON body or raw bytes, query parameters, and how long to wait for the answer. */
export interface MlflowRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  bytes?: Uint8Array;
  timeoutMs?: number;
}

/**
 * The transport under the MLflow client: auth header, timeouts, retries, and MLflow's error body
 * turned into a TinyMLOpsError whose message says which call failed and why. A 4xx that is not 429
 * is final (`NOT_FOUND` for 404, `VALIDATION_FAILED` otherwise); network trouble, 429 and 5xx after
 * the last retry, and refused credentials, are `UNAVAILABLE` (a dependency problem, not the
 * caller's).
 */
export class MlflowHttp {
  constructor(
    private readonly config: Pick<MlflowConfig, 'trackingUri' | 'auth'>,
    private readonly retry: MlflowRetry = DEFAULT_RETRY,
  ) {}

  /** Sends `req` and parses the JSON answer with `schema`. */
  async json<S extends z.ZodType>(req: MlflowRequest, schema: S): Promise<z.output<S>> {
    const r = await this.send(req);
    const text = await r.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      throw this.fail(req, `answered with something that is not JSON: ${text.slice(0, 200)}`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw this.fail(req, `answered with an unexpected shape: ${parsed.error.message.slice(0, 300)}`);
    return parsed.data;
  }

  /** Sends `req` and returns the answer's bytes. */
  async bytes(req: MlflowRequest): Promise<Buffer> {
    return Buffer.from(await (await this.send(req)).arrayBuffer());
  }

  private async send(req: MlflowRequest): Promise<Response> {
    const query = req.query ? `?${new URLSearchParams(req.query).toString()}` : '';
    const url = `${this.config.trackingUri}${req.path}${query}`;
    const headers: Record<string, string> = { ...this.authHeader() };
    if (req.json !== undefined) headers['content-type'] = 'application/json';
    const body = req.json !== undefined ? JSON.stringify(req.json) : req.bytes;
    for (let attempt = 1; ; attempt++) {
      let r: Response | undefined;
      let networkError: Error | undefined;
      try {
        r = await fetch(url, {
          method: req.method,
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: AbortSignal.timeout(req.timeoutMs ?? 30_000),
        });
      } catch (e) {
        networkError = e as Error;
      }
      if (r?.ok) return r;
      const retryable = networkError !== undefined || RETRYABLE.has(r?.status ?? 0);
      if (retryable && attempt < this.retry.attempts) {
        await r?.arrayBuffer().catch(() => undefined);
        await this.retry.sleep(this.retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
        continue;
      }
      if (networkError)
        throw this.fail(
          req,
          `could not be reached at ${this.config.trackingUri} (${networkError.message}) after ${attempt} attempts`,
        );
      throw await this.httpError(req, r as Response, attempt);
    }
  }

  private async httpError(req: MlflowRequest, r: Response, attempts: number): Promise<TinyMLOpsError> {
    const text = await r.text().catch(() => '');
    const body = MlflowErrorBody.safeParse(
      (() => {
        try {
          return JSON.parse(text);
        } catch {
          return null;
        }
      })(),
    );
    const what = body.success ? `${body.data.error_code}: ${body.data.message ?? ''}` : text.slice(0, 200);
    const problem = `answered ${r.status} ${what}`.trim();
    if (r.status === 401 || r.status === 403) {
      return this.fail(req, `${problem} (check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD)`);
    }
    if (r.status === 404) return new TinyMLOpsError('NOT_FOUND', `MLflow ${req.method} ${req.path} ${problem}`);
    if (r.status < 500 && r.status !== 429) {
      return new TinyMLOpsError('VALIDATION_FAILED', `MLflow ${req.method} ${req.path} ${problem}`);
    }
    return this.fail(req, `${problem} after ${attempts} attempts`);
  }

  private fail(req: MlflowRequest, problem: string): TinyMLOpsError {
    return new TinyMLOpsError('UNAVAILABLE', `MLflow ${req.method} ${req.path} ${problem}`);
  }

  private authHeader(): Record<string, string> {
    const a = this.config.auth;
    if (a.kind === 'token') return { authorization: `Bearer ${a.token}` };
    if (a.kind === 'basic')
      return { authorization: `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}` };
    return {};
  }
}
