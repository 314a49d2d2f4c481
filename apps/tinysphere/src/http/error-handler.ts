import { TinyMLOpsError, type ErrorCode } from '@tinymlops/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Normalises anything thrown at the HTTP boundary into a TinyMLOpsError. Fastify's own client
 * errors (bad JSON, body too large, wrong content type) keep their 4xx meaning; anything
 * unexpected becomes INTERNAL, whose details stay in the log, not in the answer.
 * @example
 * toTinyMLOpsError(new SyntaxError('Unexpected token')).code; // 'INTERNAL' — only parser errors carry a 400
 */
export function toTinyMLOpsError(err: unknown): TinyMLOpsError {
  if (err instanceof TinyMLOpsError) return err;
  const e = err as Partial<FastifyError> & { status?: number };
  const status = e.statusCode ?? e.status ?? 500;
  const message = e.message ?? 'unexpected error';
  const code = clientCode(status, e.code ?? '', err instanceof SyntaxError);
  if (!code) return new TinyMLOpsError('INTERNAL', 'internal error', { cause: err });
  return new TinyMLOpsError(code, message, { cause: err });
}

/**
 * SQLSTATEs of text the database cannot hold (character_not_in_repertoire, untranslatable_character):
 * bad input that slipped past the input guard, so a 400, not a 500 a device would retry for ever.
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

function clientCode(status: number, fastifyCode: string, syntax: boolean): ErrorCode | null {
  if (syntax || fastifyCode.includes('JSON')) return 'MALFORMED_JSON';
  if (UNSTORABLE_TEXT.has(fastifyCode)) return 'VALIDATION_FAILED';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 404) return 'NOT_FOUND';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 400 && status < 500) return 'VALIDATION_FAILED';
  return null;
}

/** Installs the one error handler and the not-found handler; both answer with an ErrorEnvelope. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = toTinyMLOpsError(err);
    if (e.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: e.code, reason: e.message }, 'request rejected');
    const retryAfter = (e as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    return reply.status(e.status).type('application/json').send(e.toEnvelope(req.id));
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new TinyMLOpsError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
    return reply.status(404).send(e.toEnvelope(req.id));
  });
}
