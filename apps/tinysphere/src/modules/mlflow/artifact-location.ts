import { TinyMLOpsError } from '@tinymlops/contracts';

const PROXY = '/api/2.0/mlflow-artifacts/artifacts/';

/**
 * The path, relative to the tracking server's artifact root, of an artifact URI TinySphere can
 * read through MLflow's artifact proxy: `mlflow-artifacts:/<path>` (what `mlflow server` hands
 * out when it serves artifacts, the default since MLflow 2.0) or
 * `http(s)://<tracking host>/api/2.0/mlflow-artifacts/artifacts/<path>`. Anything else (`s3://`,
 * `file:`, another host) is refused with what to change, because TinySphere never needs the
 * artifact store's own credentials.
 * @example
 * proxiedArtifactPath('mlflow-artifacts:/1/abc/artifacts/bundle', 'http://mlflow:5000'); // '1/abc/artifacts/bundle'
 */
export function proxiedArtifactPath(uri: string, trackingUri: string): string {
  const scheme = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(uri);
  if (scheme) return clean(scheme[1] as string);
  let url: URL | undefined;
  try {
    url = new URL(uri);
  } catch {
    url = undefined;
  }
  const tracking = new URL(trackingUri);
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.pathname.includes(PROXY)) {
    if (url.host !== tracking.host) {
      throw new TinyMLOpsError(
        'VALIDATION_FAILED',
        `artifact URI ${uri} points at ${url.host}, not at the tracking server ${tracking.host}`,
      );
    }
    return clean(decodeURIComponent(url.pathname.slice(url.pathname.indexOf(PROXY) + PROXY.length)));
  }
  throw new TinyMLOpsError(
    'VALIDATION_FAILED',
    `the artifacts are at ${uri}, which TinySphere reads only through MLflow's artifact proxy: run mlflow server with --serve-artifacts (the default) and --artifacts-destination (e.g. s3://mlflow on MinIO), so new runs get mlflow-artifacts:/ URIs`,
  );
}

function clean(path: string): string {
  const p = path.replace(/\/+$/, '');
  if (p.split('/').some((s) => s === '..'))
    throw new TinyMLOpsError('VALIDATION_FAILED', `unsafe artifact path ${path}`);
  return p;
}
