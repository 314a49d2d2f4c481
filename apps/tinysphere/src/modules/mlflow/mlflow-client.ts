import { TinyMLOpsError } from '@tinymlops/contracts';
import type { MlflowConfig } from './mlflow-config.js';
import { DEFAULT_RETRY, MlflowHttp, type MlflowRetry } from './mlflow-http.js';
import {
  CreateExperimentResponse,
  DownloadUriResponse,
  Empty,
  GetExperimentResponse,
  ListArtifactsResponse,
  ModelVersionResponse,
  RunResponse,
  UpdateRunResponse,
  type FileInfo,
  type ModelVersion,
  type Run,
} from './mlflow-wire.js';

const API = '/api/2.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

/** A metric as LogBatch takes it. */
export interface MetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step?: number;
}

/**
 * A typed client for the parts of MLflow's REST API (2.x and 3.x, `api/2.0/mlflow/…` and the
 * proxied `api/2.0/mlflow-artifacts/…`) TinySphere uses: experiments, runs and their data, the
 * model registry, and artifacts. Every answer is checked with zod; see mlflow-http.ts for retries,
 * auth and errors.
 * @example
 * const mlflow = new MlflowClient(config);
 * const v = await mlflow.modelVersionByAlias('fashion', 'champion');
 */
export class MlflowClient {
  readonly #http: MlflowHttp;

  constructor(
    readonly config: Pick<MlflowConfig, 'trackingUri' | 'auth'>,
    retry: MlflowRetry = DEFAULT_RETRY,
  ) {
    this.#http = new MlflowHttp(config, retry);
  }

  /** The experiment's id, creating it on first use (a concurrent creator wins harmlessly). */
  async experimentId(name: string): Promise<string> {
    const get = () =>
      this.#http.json(
        { method: 'GET', path: `${API}/experiments/get-by-name`, query: { experiment_name: name } },
        GetExperimentResponse,
      );
    try {
      return (await get()).experiment.experiment_id;
    } catch (e) {
      if (!(e instanceof TinyMLOpsError && e.code === 'NOT_FOUND')) throw e;
    }
    try {
      return (
        await this.#http.json(
          { method: 'POST', path: `${API}/experiments/create`, json: { name } },
          CreateExperimentResponse,
        )
      ).experiment_id;
    } catch (e) {
      if (e instanceof TinyMLOpsError && e.message.includes('RESOURCE_ALREADY_EXISTS'))
        return (await get()).experiment.experiment_id;
      throw e;
    }
  }

  async createRun(
    experimentId: string,
    runName: string,
    tags: Record<string, string>,
    startTime: number,
  ): Promise<Run> {
    const json = { experiment_id: experimentId, run_name: runName, start_time: startTime, tags: pairs(tags) };
    return (await this.#http.json({ method: 'POST', path: `${API}/runs/create`, json }, RunResponse)).run;
  }

  async getRun(runId: string): Promise<Run> {
    return (await this.#http.json({ method: 'GET', path: `${API}/runs/get`, query: { run_id: runId } }, RunResponse))
      .run;
  }

  async finishRun(runId: string, status: 'FINISHED' | 'FAILED', endTime: number): Promise<void> {
    await this.#http.json(
      { method: 'POST', path: `${API}/runs/update`, json: { run_id: runId, status, end_time: endTime } },
      UpdateRunResponse,
    );
  }

  /**
   * LogBatch, split into requests within MLflow's limits: at most 1000 items a request, of which
   * at most 100 params and 100 tags (service.proto); metrics go 800 at a time.
   */
  async logBatch(
    runId: string,
    metrics: MetricPoint[],
    params: Record<string, string> = {},
    tags: Record<string, string> = {},
  ): Promise<void> {
    const p = pairs(params);
    const t = pairs(tags);
    let i = 0;
    do {
      const chunk = metrics.slice(i, i + 800).map((m) => ({ step: 0, ...m }));
      const json = { run_id: runId, metrics: chunk, params: p.splice(0, 100), tags: t.splice(0, 100) };
      await this.#http.json({ method: 'POST', path: `${API}/runs/log-batch`, json }, Empty);
      i += 800;
    } while (i < metrics.length || p.length > 0 || t.length > 0);
  }

  /** Records a dataset as an input of a run (`runs/log-inputs`, MLflow ≥ 2.4). */
  async logDatasetInput(
    runId: string,
    dataset: { name: string; digest: string; sourceType: string; source: string; profile?: string },
    context: string,
  ): Promise<void> {
    const d = {
      name: dataset.name,
      digest: dataset.digest,
      source_type: dataset.sourceType,
      source: dataset.source,
      ...(dataset.profile ? { profile: dataset.profile } : {}),
    };
    const json = { run_id: runId, datasets: [{ tags: [{ key: 'mlflow.data.context', value: context }], dataset: d }] };
    await this.#http.json({ method: 'POST', path: `${API}/runs/log-inputs`, json }, Empty);
  }

  async modelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return (
      await this.#http.json(
        { method: 'GET', path: `${API}/registered-models/alias`, query: { name, alias } },
        ModelVersionResponse,
      )
    ).model_version;
  }

  async modelVersion(name: string, version: string): Promise<ModelVersion> {
    return (
      await this.#http.json(
        { method: 'GET', path: `${API}/model-versions/get`, query: { name, version } },
        ModelVersionResponse,
      )
    ).model_version;
  }

  /** Where the version's files are (`get-download-uri`: the server resolves runs:/ and models:/ sources). */
  async downloadUri(name: string, version: string): Promise<string> {
    return (
      await this.#http.json(
        { method: 'GET', path: `${API}/model-versions/get-download-uri`, query: { name, version } },
        DownloadUriResponse,
      )
    ).artifact_uri;
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.#http.json(
      { method: 'POST', path: `${API}/model-versions/set-tag`, json: { name, version, key, value } },
      Empty,
    );
  }

  /** The children of an artifact folder through the artifact proxy (`path` relative to its root). */
  async listArtifacts(path: string): Promise<FileInfo[]> {
    return (await this.#http.json({ method: 'GET', path: ARTIFACTS, query: { path } }, ListArtifactsResponse)).files;
  }

  async downloadArtifact(path: string): Promise<Buffer> {
    return this.#http.bytes({ method: 'GET', path: `${ARTIFACTS}/${encodePath(path)}`, timeoutMs: 300_000 });
  }

  async uploadArtifact(path: string, bytes: Uint8Array): Promise<void> {
    await this.#http.json(
      { method: 'PUT', path: `${ARTIFACTS}/${encodePath(path)}`, bytes, timeoutMs: 300_000 },
      Empty,
    );
  }
}

function pairs(r: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(r).map(([key, value]) => ({ key, value }));
}

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}
