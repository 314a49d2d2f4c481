import { ErrorEnvelope, type ErrorDetail } from '@tinymlops/contracts';
import type { z } from 'zod';
import { claimEarly } from './early-fetch';
import { readToken, writeToken } from './session-token';

/** A refused or failed API call, with the server's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The fields the server named (dotted paths, e.g. `config.syncIntervalSeconds`). */
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
  }
}

async function request(method: string, path: string, body?: unknown, raw?: { type: string }): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = readToken();
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = raw?.type ?? 'application/json';
  const payload = body === undefined ? {} : { body: raw ? (body as Blob) : JSON.stringify(body) };
  let res: Response;
  try {
    // A GET index.html's inline script started (the landing page's data) is taken over, not repeated.
    const early = method === 'GET' ? claimEarly(path) : undefined;
    res = await (early ?? fetch(path, { method, headers, ...payload }));
  } catch {
    throw new ApiError(0, 'NETWORK', 'TinySphere cannot be reached. Check that the server is running.');
  }
  if (res.ok) return res;
  const parsed = ErrorEnvelope.safeParse(await res.json().catch(() => null));
  const err = parsed.success
    ? new ApiError(res.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details)
    : new ApiError(res.status, 'HTTP_' + res.status, `The server answered ${res.status} ${res.statusText}`);
  if (res.status === 401 && token) writeToken(null);
  throw err;
}

/**
 * GETs a JSON document and checks it against its contracts schema.
 * @example
 * const overview = await apiGet('/api/v1/overview', FleetOverview);
 */
export async function apiGet<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
  const res = await request('GET', path);
  return schema.parse(await res.json());
}

/** Sends a JSON body; parses the answer with `schema`, or ignores it when schema is null (204s). */
export async function apiSend<S extends z.ZodType>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body: unknown,
  schema: S | null,
): Promise<z.infer<S> | null> {
  const res = await request(method, path, body);
  if (!schema || res.status === 204) return null;
  return schema.parse(await res.json());
}

/**
 * POSTs a file as the raw body (e.g. a bundle archive) and parses the answer with `schema`.
 * @example
 * const v = await apiUpload('/api/v1/models/bundles', file, 'application/gzip', ModelVersionSummary);
 */
export async function apiUpload<S extends z.ZodType>(path: string, file: Blob, type: string, schema: S) {
  const res = await request('POST', path, file, { type });
  return schema.parse(await res.json()) as z.infer<S>;
}

/** Builds `path?k=v` from the defined entries of `params`. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * Downloads a file the API streams (an export) with the session's token: resolves with its bytes
 * and the file name the server suggests. Errors are the same ApiError as JSON calls.
 * @example
 * const { blob, fileName } = await apiDownload('/api/v1/exports/validated-samples?modelId=fashion-mnv2');
 */
export async function apiDownload(path: string): Promise<{ blob: Blob; fileName: string }> {
  const res = await request('GET', path);
  const disposition = res.headers.get('content-disposition') ?? '';
  const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'download';
  return { blob: await res.blob(), fileName };
}
