import type { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import type { ErrorDetail, ErrorEnvelope } from './error-envelope.js';

/**
 * The one error class of the project: a closed `code`, a message a person can act on,
 * optional field details and a chained cause.
 * @example
 * throw new TinyMLOpsError('INVALID_OPTION', 'PageHinkley: option "threshold" must be > 0, got -1');
 */
export class TinyMLOpsError extends Error {
  override readonly name = 'TinyMLOpsError';
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: ErrorDetail[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** The HTTP status this error maps to. */
  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** The wire envelope for this error. */
  toEnvelope(requestId?: string): ErrorEnvelope {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
        ...(requestId ? { requestId } : {}),
      },
    };
  }
}

/** Turns zod issues into `{path, message}` details with dotted paths. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/**
 * Parses `input` with `schema` or throws a `VALIDATION_FAILED` TinyMLOpsError whose message
 * names every offending field.
 * @example
 * const hb = parseOrThrow(HeartbeatRequest, body, 'heartbeat');
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const details = issuesToDetails(r.error.issues);
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  throw new TinyMLOpsError('VALIDATION_FAILED', `invalid ${what}: ${summary}`, { details });
}
