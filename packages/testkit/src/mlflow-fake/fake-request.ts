import { invalid } from './mlflow-fake-error.js';

/** A request as the fake's handlers see it: GET parameters in `query`, POST/PATCH/DELETE JSON in `body`. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  raw: Buffer;
}

/** A non-JSON answer (artifact downloads). */
export interface RawAnswer {
  raw: Buffer;
  contentType: string;
}

/** A handler: returns the JSON body (200), a raw answer, or throws an `MlflowFakeError`. */
export type Handler = (req: FakeRequest) => unknown;

/** A field from the JSON body or, for GETs, the query string. */
function field(req: FakeRequest, name: string): unknown {
  return name in req.body ? req.body[name] : (req.query.get(name) ?? undefined);
}

/**
 * A string field; a missing required one is MLflow's "Missing value for required parameter" error.
 * @example
 * const name = str(req, 'name'); const description = str(req, 'description', true);
 */
export function str(req: FakeRequest, name: string): string;
export function str(req: FakeRequest, name: string, optional: true): string | undefined;
export function str(req: FakeRequest, name: string, optional = false): string | undefined {
  const v = field(req, name);
  if (v === undefined || v === null || v === '') {
    if (optional) return undefined;
    throw invalid(
      `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`,
    );
  }
  if (typeof v !== 'string') throw invalid(`Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied`);
  return v;
}

/**
 * An int64 or double field: protobuf's JSON mapping allows numbers and numeric strings (older MLflow
 * clients send int64 as strings), and "NaN"/"Infinity" for doubles.
 * @example
 * num({ timestamp: '1552550804' }, 'timestamp'); // 1552550804
 */
export function num(req: FakeRequest | Record<string, unknown>, name: string, optional = false): number | undefined {
  const v = 'query' in req && 'raw' in req ? field(req as FakeRequest, name) : (req as Record<string, unknown>)[name];
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw invalid(`Missing value for required parameter '${name}'.`);
  }
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || (Number.isNaN(n) && v !== 'NaN')) {
    throw invalid(`Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied`);
  }
  return n;
}

/**
 * A repeated message field (a JSON array of objects), empty when absent.
 * @example
 * const tags = list<KeyValue>(req, 'tags');
 */
export function list<T>(req: FakeRequest, name: string): T[] {
  const v = req.body[name];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw invalid(`Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied`);
  return v as T[];
}
