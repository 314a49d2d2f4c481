import { TinyMLOpsError } from '@tinymlops/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { queryIsUtf8, unstorableText } from './storable-text.js';

/** A parsed JSON body (not a streamed upload, not raw bytes). */
function isJsonValue(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return typeof body === 'string';
  return !Buffer.isBuffer(body) && typeof (body as { pipe?: unknown }).pipe !== 'function';
}

function check(req: FastifyRequest): void {
  const q = req.url.indexOf('?');
  if (q >= 0 && !queryIsUtf8(req.url.slice(q + 1)))
    throw new TinyMLOpsError('VALIDATION_FAILED', 'invalid querystring: a percent-encoded value is not UTF-8');
  for (const [where, value] of [
    ['querystring', req.query],
    ['params', req.params],
    ['body', isJsonValue(req.body) ? req.body : undefined],
  ] as const) {
    const problem = unstorableText(value);
    if (problem) throw new TinyMLOpsError('VALIDATION_FAILED', `invalid ${where}: ${problem}`);
  }
}

/**
 * Refuses, with 400 VALIDATION_FAILED, text no route could store: NUL or lone surrogates in a JSON
 * body, a query or a path parameter, and percent-encoded queries that are not UTF-8. Runs before
 * schema validation on every route, after authentication (which runs at onRequest).
 * @example
 * installInputGuard(app);
 */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => check(req));
}

/**
 * The media type of a Content-Type header, lower-cased and without parameters (`Application/GZIP;
 * x=1` → `application/gzip`): media types are case-insensitive (RFC 9110 §8.3.1).
 * @example
 * if (mediaTypeOf(req.headers['content-type']) !== 'application/gzip') throw …;
 */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
