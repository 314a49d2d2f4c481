import {
  ErrorEnvelope,
  FeedbackPage,
  FeedbackPageV2,
  HeartbeatResponse,
  ModelAssignment,
  PackageReceipt,
  type FeedbackAck,
  type FeedbackAckV2,
  type HeartbeatRequest,
  type InstallReport,
} from '@tinymlops/contracts';
import type { z } from 'zod';
import { parseRetryAfter } from './backoff.js';

/**
 * How a failed request should be handled: `retry` later with backoff (network, timeout, 408, 429,
 * 5xx), `auth` (401/403: the credentials, not the payload, are wrong), or `permanent` (other 4xx:
 * sending the same thing again cannot succeed).
 */
export type FailureKind = 'retry' | 'auth' | 'permanent';

/** Outcome of one device API call. */
export type ApiResult<T> =
  | { ok: true; status: number; value: T }
  | { ok: false; kind: FailureKind; status?: number; code?: string; message: string; retryAfterMs?: number };

/** Options of {@link DeviceApi}. */
export interface DeviceApiOptions {
  serverUrl: string;
  deviceToken: string;
  fetch?: typeof fetch;
  /** Per-request timeout (default 30 s): a hung server must not hold a sync round forever. */
  timeoutMs?: number;
  /** Timeout of bundle downloads (default 10 min). */
  downloadTimeoutMs?: number;
  /**
   * Slowest link an upload must still finish on (default 16 KiB/s): a package upload gets
   * `timeoutMs + size / minBytesPerSecond`, so a large package on weak Wi-Fi is not cut off forever.
   */
  minBytesPerSecond?: number;
  now?: () => number;
}

/** What `GET /device/v1/assignment` said. */
export type AssignmentPoll =
  | { state: 'assigned'; assignment: ModelAssignment; etag: string | undefined }
  | { state: 'unchanged' }
  | { state: 'none' };

/**
 * Typed calls of the device protocol (`docs/protocol-endpoints.txt`) over fetch. Never throws:
 * every outcome, network errors included, is an {@link ApiResult}.
 * @example
 * const api = new DeviceApi({ serverUrl: creds.serverUrl, deviceToken: creds.deviceToken });
 * const r = await api.heartbeat(request);
 * if (r.ok && r.value.feedbackPending > 0) await pullFeedback();
 */
export class DeviceApi {
  constructor(private readonly options: DeviceApiOptions) {}

  /** `POST /device/v1/heartbeat`. */
  heartbeat(request: HeartbeatRequest): Promise<ApiResult<HeartbeatResponse>> {
    return this.json('POST', '/device/v1/heartbeat', HeartbeatResponse, request);
  }

  /** `PUT /device/v1/packages/:id` with the archive and its sha256. */
  putPackage(packageId: string, archive: Uint8Array, sha256: string): Promise<ApiResult<PackageReceipt>> {
    const init = { body: archive, headers: { 'content-type': 'application/gzip', 'x-content-sha256': sha256 } };
    const path = `/device/v1/packages/${encodeURIComponent(packageId)}`;
    const transferMs = Math.ceil((archive.length / (this.options.minBytesPerSecond ?? 16_384)) * 1000);
    return this.json('PUT', path, PackageReceipt, undefined, init, (this.options.timeoutMs ?? 30_000) + transferMs);
  }

  /** `GET /device/v1/feedback?after=&limit=`. */
  feedback(after: number, limit = 100): Promise<ApiResult<FeedbackPage>> {
    return this.json('GET', `/device/v1/feedback?after=${after}&limit=${limit}`, FeedbackPage);
  }

  /** `POST /device/v1/feedback/ack`. */
  async ackFeedback(ack: FeedbackAck): Promise<ApiResult<void>> {
    return this.empty(await this.send('POST', '/device/v1/feedback/ack', jsonInit(ack)));
  }

  /** `GET /device/v1/feedback?v=2&after=&limit=`: the inbox, labels with their features. */
  feedbackV2(after: number, limit = 100): Promise<ApiResult<FeedbackPageV2>> {
    return this.json('GET', `/device/v1/feedback?v=2&after=${after}&limit=${limit}`, FeedbackPageV2);
  }

  /** `POST /device/v1/feedback/ack` with what the device did with each item. */
  async ackFeedbackV2(ack: FeedbackAckV2): Promise<ApiResult<void>> {
    return this.empty(await this.send('POST', '/device/v1/feedback/ack', jsonInit(ack)));
  }

  /** `GET /device/v1/assignment` with `If-None-Match`. */
  async assignment(etag: string | undefined): Promise<ApiResult<AssignmentPoll>> {
    const res = await this.send('GET', '/device/v1/assignment', { headers: etag ? { 'if-none-match': etag } : {} });
    if (res instanceof Response && (res.status === 304 || res.status === 204)) {
      await res.body?.cancel();
      return { ok: true, status: res.status, value: { state: res.status === 304 ? 'unchanged' : 'none' } };
    }
    const parsed = await this.parse(res, ModelAssignment);
    if (!parsed.ok || !(res instanceof Response)) return parsed as ApiResult<never>;
    const tag = res.headers.get('etag') ?? undefined;
    return { ok: true, status: parsed.status, value: { state: 'assigned', assignment: parsed.value, etag: tag } };
  }

  /** `GET <downloadPath>`: the raw response, for streaming a bundle to disk. */
  async download(path: string): Promise<ApiResult<Response>> {
    const res = await this.send('GET', path, {}, this.options.downloadTimeoutMs ?? 600_000);
    if (!(res instanceof Response)) return res;
    if (res.status === 200) return { ok: true, status: 200, value: res };
    return this.failure(res);
  }

  /** `POST /device/v1/assignment/report`. */
  async report(report: InstallReport): Promise<ApiResult<void>> {
    return this.empty(await this.send('POST', '/device/v1/assignment/report', jsonInit(report)));
  }

  private async json<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
    init: RequestInit = {},
    timeoutMs?: number,
  ): Promise<ApiResult<z.infer<S>>> {
    return this.parse(await this.send(method, path, body === undefined ? init : jsonInit(body), timeoutMs), schema);
  }

  private async parse<S extends z.ZodType>(
    res: Response | ApiResult<never>,
    schema: S,
  ): Promise<ApiResult<z.infer<S>>> {
    if (!(res instanceof Response)) return res;
    if (res.status < 200 || res.status >= 300) return this.failure(res);
    const value = schema.safeParse(await res.json().catch(() => undefined));
    // A 2xx we cannot read is most likely a server mid-upgrade: retry rather than lose anything.
    if (!value.success)
      return { ok: false, kind: 'retry', status: res.status, message: `unexpected answer to ${res.url}` };
    return { ok: true, status: res.status, value: value.data };
  }

  private async empty(res: Response | ApiResult<never>): Promise<ApiResult<void>> {
    if (!(res instanceof Response)) return res;
    if (res.status < 200 || res.status >= 300) return this.failure(res);
    await res.body?.cancel();
    return { ok: true, status: res.status, value: undefined };
  }

  private async send(
    method: string,
    path: string,
    init: RequestInit,
    timeoutMs?: number,
  ): Promise<Response | ApiResult<never>> {
    const url = new URL(path, this.options.serverUrl);
    const headers = {
      ...(init.headers as Record<string, string>),
      authorization: `Bearer ${this.options.deviceToken}`,
    };
    try {
      const signal = AbortSignal.timeout(timeoutMs ?? this.options.timeoutMs ?? 30_000);
      return await (this.options.fetch ?? fetch)(url, { ...init, method, headers, signal });
    } catch (err) {
      return { ok: false, kind: 'retry', message: `${method} ${url.pathname}: ${describe(err)}` };
    }
  }

  private async failure(res: Response): Promise<ApiResult<never>> {
    const envelope = ErrorEnvelope.safeParse(await res.json().catch(() => undefined));
    const code = envelope.success ? envelope.data.error.code : undefined;
    const message = envelope.success ? envelope.data.error.message : `HTTP ${res.status}`;
    const retryAfterMs =
      parseRetryAfter(res.headers.get('retry-after'), (this.options.now ?? Date.now)()) ??
      (envelope.success && envelope.data.error.retryAfterSeconds !== undefined
        ? envelope.data.error.retryAfterSeconds * 1000
        : undefined);
    const kind = failureKind(res.status);
    return {
      ok: false,
      kind,
      status: res.status,
      ...(code ? { code } : {}),
      message,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
}

function failureKind(status: number): FailureKind {
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  if (status === 401 || status === 403) return 'auth';
  return 'permanent';
}

function jsonInit(body: unknown): RequestInit {
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.message ?? String(err);
}
