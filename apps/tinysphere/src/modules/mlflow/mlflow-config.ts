import { MlflowModelUri, TinyMLOpsError } from '@tinymlops/contracts';

/** A registered model TinySphere follows, from a `models:/<name>@<alias>` or `models:/<name>/<version>` URI. */
export interface MlflowSource {
  uri: string;
  name: string;
  alias: string | null;
  version: string | null;
}

/** How TinySphere talks to MLflow. Credentials come only from the environment, never from arguments. */
export interface MlflowConfig {
  /** Base URL of the tracking server, without credentials or a trailing slash. */
  trackingUri: string;
  auth: { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'basic'; username: string; password: string };
  sources: MlflowSource[];
  /** Seconds between polls of the sources' aliases; 0: only webhooks and manual imports. */
  pollSeconds: number;
  /** Shared secret of the MLflow webhook (HMAC-SHA256); null: the webhook endpoint refuses everything. */
  webhookSecret: string | null;
  /** The experiment that holds the field-metrics runs. */
  fieldExperiment: string;
  /** Seconds between field-metrics logs; 0: only on request (`POST /api/v1/mlflow/field-metrics`). */
  fieldMetricsSeconds: number;
}

/**
 * Parses a model URI as MLflow spells it.
 * @example
 * parseModelUri('models:/fashion@champion'); // { uri, name: 'fashion', alias: 'champion', version: null }
 */
export function parseModelUri(uri: string): MlflowSource {
  const r = MlflowModelUri.safeParse(uri);
  if (!r.success) {
    throw new TinyMLOpsError(
      'INVALID_OPTION',
      `"${uri}" is not an MLflow model URI: expected models:/<name>@<alias> or models:/<name>/<version>`,
    );
  }
  const [, name, sep, ref] = /^models:\/([^/@]+)([@/])(.+)$/.exec(uri) as RegExpExecArray;
  return {
    uri,
    name: name as string,
    alias: sep === '@' ? (ref as string) : null,
    version: sep === '/' ? (ref as string) : null,
  };
}

/** The options a `tinysphere serve|worker` command gives for MLflow (see cli-options.ts). */
export interface MlflowOptions {
  mlflowTrackingUri?: string;
  mlflowModel?: string[];
  mlflowPollSeconds?: number;
  mlflowFieldExperiment?: string;
  mlflowFieldMetricsSeconds?: number;
}

/**
 * The MLflow configuration from command options and the environment: `MLFLOW_TRACKING_TOKEN`
 * (bearer) or `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD` (basic), as MLflow's own
 * clients read them, and `TINYSPHERE_MLFLOW_WEBHOOK_SECRET`. Credentials in the URI
 * (`http://user:pass@host`) are moved to basic auth. Null when no tracking URI is set.
 * @example
 * const cfg = mlflowConfig({ mlflowTrackingUri: 'http://mlflow:5000', mlflowModel: ['models:/fashion@champion'] }, process.env);
 */
export function mlflowConfig(o: MlflowOptions, env: NodeJS.ProcessEnv): MlflowConfig | null {
  if (!o.mlflowTrackingUri) return null;
  let url: URL;
  try {
    url = new URL(o.mlflowTrackingUri);
  } catch {
    throw new TinyMLOpsError('INVALID_OPTION', `MLFLOW_TRACKING_URI "${o.mlflowTrackingUri}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TinyMLOpsError(
      'INVALID_OPTION',
      `MLFLOW_TRACKING_URI must be an http(s):// tracking server (got ${url.protocol}); TinySphere talks to MLflow over its REST API`,
    );
  }
  const inUri = url.username
    ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
    : null;
  url.username = '';
  url.password = '';
  return {
    trackingUri: url.toString().replace(/\/+$/, ''),
    auth: authFrom(env, inUri),
    sources: (o.mlflowModel ?? [])
      .flatMap((m) => m.split(','))
      .map((m) => m.trim())
      .filter(Boolean)
      .map(parseModelUri),
    pollSeconds: o.mlflowPollSeconds ?? 60,
    webhookSecret: env['TINYSPHERE_MLFLOW_WEBHOOK_SECRET'] || null,
    fieldExperiment: o.mlflowFieldExperiment ?? 'tinysphere-field',
    fieldMetricsSeconds: o.mlflowFieldMetricsSeconds ?? 3600,
  };
}

function authFrom(env: NodeJS.ProcessEnv, inUri: { username: string; password: string } | null): MlflowConfig['auth'] {
  const token = env['MLFLOW_TRACKING_TOKEN'];
  if (token) return { kind: 'token', token };
  const username = env['MLFLOW_TRACKING_USERNAME'] ?? inUri?.username;
  const password = env['MLFLOW_TRACKING_PASSWORD'] ?? inUri?.password;
  if (username && password !== undefined) return { kind: 'basic', username, password };
  if (username)
    throw new TinyMLOpsError('INVALID_OPTION', 'MLFLOW_TRACKING_USERNAME is set without MLFLOW_TRACKING_PASSWORD');
  return { kind: 'none' };
}
