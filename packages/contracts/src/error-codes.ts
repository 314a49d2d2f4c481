/**
 * The closed set of error codes, with the HTTP status each maps to at the server boundary.
 * Device code branches on `code`, never on the message.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, summary: 'The request or document does not match its schema.' },
  MALFORMED_JSON: { status: 400, summary: 'The body is not valid JSON.' },
  INVALID_OPTION: { status: 400, summary: 'A constructor or config option is out of range.' },
  INVALID_ARCHIVE: { status: 422, summary: 'A package archive is corrupt, unsafe or inconsistent with its manifest.' },
  INVALID_BUNDLE: { status: 422, summary: 'A model bundle is corrupt or its hashes or signature do not verify.' },
  HASH_MISMATCH: { status: 422, summary: 'Content does not match the declared sha256.' },
  UNAUTHENTICATED: { status: 401, summary: 'Missing or invalid credentials.' },
  FORBIDDEN: { status: 403, summary: 'The credentials do not allow this action on this resource.' },
  ENROLMENT_TOKEN_INVALID: { status: 401, summary: 'The enrolment token is unknown, expired or used up.' },
  NOT_FOUND: { status: 404, summary: 'The resource does not exist (or is not yours).' },
  CONFLICT: { status: 409, summary: 'The resource exists with different content.' },
  PAYLOAD_TOO_LARGE: { status: 413, summary: 'The body exceeds the size limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The content type is not accepted here.' },
  RATE_LIMITED: { status: 429, summary: 'Too many requests; retry after the indicated delay.' },
  QUOTA_EXCEEDED: {
    status: 429,
    summary:
      'The device is over its storage or daily package quota; keep the data and retry after the indicated delay.',
  },
  MODEL_LOAD_FAILED: { status: 422, summary: 'A model could not be loaded or run.' },
  STATE_CORRUPT: { status: 500, summary: 'A persisted state document is corrupt.' },
  UNAVAILABLE: { status: 503, summary: 'A dependency (database, blob store) is unavailable; retry later.' },
  INTERNAL: { status: 500, summary: 'An unexpected server error; the request id identifies it in the logs.' },
} as const satisfies Record<string, { status: number; summary: string }>;

/** Union of all error code names. */
export type ErrorCode = keyof typeof ERROR_CODES;
