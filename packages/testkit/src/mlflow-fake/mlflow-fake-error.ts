/**
 * MLflow's error codes and the HTTP status its server answers them with
 * (`mlflow/exceptions.py`, `ERROR_CODE_TO_HTTP_STATUS`); the body is
 * `{"error_code": "...", "message": "..."}` (`MlflowException.serialize_as_json`).
 */
export const MLFLOW_ERROR_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
} as const;
export type MlflowErrorCode = keyof typeof MLFLOW_ERROR_STATUS;

/** An error the fake answers with MLflow's error body. */
export class MlflowFakeError extends Error {
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return MLFLOW_ERROR_STATUS[this.errorCode];
  }
}

/** Shorthands for the errors the fake raises most: RESOURCE_DOES_NOT_EXIST (404) and INVALID_PARAMETER_VALUE (400). */
export const notFound = (what: string) => new MlflowFakeError('RESOURCE_DOES_NOT_EXIST', what);
export const invalid = (what: string) => new MlflowFakeError('INVALID_PARAMETER_VALUE', what);
