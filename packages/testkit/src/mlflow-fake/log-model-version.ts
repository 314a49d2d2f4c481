/** What {@link logModelVersion} logs. */
export interface ModelVersionUpload {
  /** Registered model name (created when missing). */
  name: string;
  /** Files of the model folder, by path inside it (`bundle.json`, `examples/bag/1.png`, …). */
  files: Record<string, Uint8Array>;
  /** The run's artifact folder holding them (default `bundle`). */
  artifactPath?: string;
  /** Point this alias at the new version. */
  alias?: string;
  experimentId?: string;
  headers?: Record<string, string>;
}

/**
 * Does over MLflow's REST API what an engineer's `mlflow.log_artifacts` + `register_model` +
 * `set_registered_model_alias` does: a run, its artifacts through the proxy, a registered model
 * version with source `runs:/<run id>/<path>`, and optionally an alias. Works against the fake or a
 * real server.
 * @example
 * const { runId, version } = await logModelVersion(mlflow.url, { name: 'fashion', files, alias: 'champion' });
 */
export async function logModelVersion(
  trackingUri: string,
  u: ModelVersionUpload,
): Promise<{ runId: string; version: string }> {
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${trackingUri}/api/2.0/mlflow/${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...u.headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await r.json()) as Record<string, unknown>;
    if (!r.ok && json['error_code'] !== 'RESOURCE_ALREADY_EXISTS')
      throw new Error(`${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const created = await call('POST', 'runs/create', {
    experiment_id: u.experimentId ?? '0',
    run_name: `train ${u.name}`,
    start_time: Date.now(),
  });
  const info = (created['run'] as { info: { run_id: string; artifact_uri: string } }).info;
  const artifactPath = u.artifactPath ?? 'bundle';
  const root = info.artifact_uri.replace(/^mlflow-artifacts:\/*/, '');
  for (const [path, bytes] of Object.entries(u.files)) {
    const r = await fetch(`${trackingUri}/api/2.0/mlflow-artifacts/artifacts/${root}/${artifactPath}/${path}`, {
      method: 'PUT',
      body: bytes,
      headers: { ...u.headers },
    });
    if (!r.ok) throw new Error(`upload ${path}: ${r.status}`);
  }
  await call('POST', 'runs/update', { run_id: info.run_id, status: 'FINISHED', end_time: Date.now() });
  await call('POST', 'registered-models/create', { name: u.name });
  const mv = await call('POST', 'model-versions/create', {
    name: u.name,
    source: `runs:/${info.run_id}/${artifactPath}`,
    run_id: info.run_id,
  });
  const version = (mv['model_version'] as { version: string }).version;
  if (u.alias) await call('POST', 'registered-models/alias', { name: u.name, alias: u.alias, version });
  return { runId: info.run_id, version };
}
