import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';

/** Error code schema (closed set). */
export const ErrorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** One offending field: its path (`a.b.0.c`) and what is wrong with it. */
export const ErrorDetail = z.strictObject({ path: z.string(), message: z.string() });
export type ErrorDetail = z.infer<typeof ErrorDetail>;

/**
 * The body of every error response.
 * @example
 * { "error": { "code": "NOT_FOUND", "message": "package 01J… not found", "requestId": "req-1" } }
 */
export const ErrorEnvelope = z.strictObject({
  error: z.strictObject({
    code: ErrorCodeSchema,
    message: z.string().min(1),
    details: z.array(ErrorDetail).optional(),
    requestId: z.string().optional(),
    retryAfterSeconds: z.number().nonnegative().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;
