import { randomBytes } from 'node:crypto';
import { invalid, MlflowFakeError, notFound } from './mlflow-fake-error.js';

/** Key/value pairs as MLflow's JSON carries them (`RunTag`, `Param`, `ExperimentTag`, …). */
export interface KeyValue {
  key: string;
  value: string;
}

/** `Metric` (service.proto): int64 fields are JSON numbers, as MLflow ≥ 1.x writes them. */
export interface MetricJson {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** `DatasetInput` (service.proto). */
export interface DatasetInputJson {
  tags?: KeyValue[];
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string };
}

interface RunRecord {
  info: {
    run_id: string;
    run_uuid: string;
    run_name: string;
    experiment_id: string;
    user_id: string;
    status: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
    start_time: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: 'active';
  };
  metrics: MetricJson[];
  params: Map<string, string>;
  tags: Map<string, string>;
  inputs: DatasetInputJson[];
}

const RUN_STATUSES = new Set(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);

/**
 * Experiments and runs of the MLflow fake, following `mlflow/protos/service.proto`: params are
 * write-once (the same value again is fine), tags overwrite, metrics append; `getRun` shows each
 * metric's latest value (latest timestamp, then the largest value, as the proto's comment says).
 */
export class TrackingStore {
  readonly experiments = new Map<
    string,
    { experiment_id: string; name: string; artifact_location: string; creation_time: number; tags: KeyValue[] }
  >();
  readonly runs = new Map<string, RunRecord>();
  #nextExperiment = 1;

  constructor(private readonly now: () => number) {
    this.createExperiment('Default');
  }

  createExperiment(name: string, tags: KeyValue[] = []): string {
    if ([...this.experiments.values()].some((e) => e.name === name)) {
      throw new MlflowFakeError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${name}) already exists.`);
    }
    const id = String(this.experiments.size === 0 ? 0 : this.#nextExperiment++);
    this.experiments.set(id, {
      experiment_id: id,
      name,
      artifact_location: `mlflow-artifacts:/${id}`,
      creation_time: this.now(),
      tags,
    });
    return id;
  }

  experimentJson(id: string) {
    const e = this.experiments.get(id);
    if (!e) throw notFound(`No Experiment with id=${id} exists`);
    return { ...e, lifecycle_stage: 'active', last_update_time: e.creation_time };
  }

  experimentByName(name: string) {
    const e = [...this.experiments.values()].find((x) => x.name === name);
    if (!e) throw notFound(`Could not find experiment with name '${name}'`);
    return this.experimentJson(e.experiment_id);
  }

  createRun(experimentId: string, runName: string | undefined, startTime: number | undefined, tags: KeyValue[]) {
    this.experimentJson(experimentId);
    const id = randomBytes(16).toString('hex');
    const run: RunRecord = {
      info: {
        run_id: id,
        run_uuid: id,
        run_name: runName ?? `run-${id.slice(0, 8)}`,
        experiment_id: experimentId,
        user_id: '',
        status: 'RUNNING',
        start_time: startTime ?? this.now(),
        artifact_uri: `mlflow-artifacts:/${experimentId}/${id}/artifacts`,
        lifecycle_stage: 'active',
      },
      metrics: [],
      params: new Map(),
      tags: new Map([['mlflow.runName', runName ?? `run-${id.slice(0, 8)}`]]),
      inputs: [],
    };
    for (const t of tags) run.tags.set(t.key, t.value);
    this.runs.set(id, run);
    return this.runJson(id);
  }

  run(id: string): RunRecord {
    const r = this.runs.get(id);
    if (!r) throw notFound(`Run '${id}' not found`);
    return r;
  }

  updateRun(id: string, status: string | undefined, endTime: number | undefined, runName: string | undefined) {
    const r = this.run(id);
    if (status !== undefined) {
      if (!RUN_STATUSES.has(status)) throw invalid(`Invalid value ${status} for parameter 'status'`);
      r.info.status = status as RunRecord['info']['status'];
    }
    if (endTime !== undefined) r.info.end_time = endTime;
    if (runName !== undefined) r.info.run_name = runName;
    return { ...r.info };
  }

  /** Metrics, params and tags in one call, with LogBatch's limits (service.proto's comment). */
  logBatch(id: string, metrics: MetricJson[], params: KeyValue[], tags: KeyValue[]): void {
    const r = this.run(id);
    if (
      metrics.length > 1000 ||
      params.length > 100 ||
      tags.length > 100 ||
      metrics.length + params.length + tags.length > 1000
    )
      throw invalid('A batch logging request can contain at most 1000 metrics, 100 params, 100 tags and 1000 items');
    for (const p of params) {
      const old = r.params.get(p.key);
      if (old !== undefined && old !== p.value) {
        throw invalid(
          `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old}' for run ID='${id}'. Attempted logging new value '${p.value}'.`,
        );
      }
    }
    for (const p of params) r.params.set(p.key, p.value);
    for (const t of tags) r.tags.set(t.key, t.value);
    r.metrics.push(...metrics);
  }

  logInputs(id: string, inputs: DatasetInputJson[]): void {
    this.run(id).inputs.push(...inputs);
  }

  metricHistory(id: string, key: string): MetricJson[] {
    return this.run(id).metrics.filter((m) => m.key === key);
  }

  runJson(id: string) {
    const r = this.run(id);
    const latest = new Map<string, MetricJson>();
    for (const m of r.metrics) {
      const cur = latest.get(m.key);
      if (!cur || m.timestamp > cur.timestamp || (m.timestamp === cur.timestamp && m.value > cur.value))
        latest.set(m.key, m);
    }
    const pairs = (m: Map<string, string>) => [...m].map(([key, value]) => ({ key, value }));
    return {
      info: { ...r.info },
      data: { metrics: [...latest.values()], params: pairs(r.params), tags: pairs(r.tags) },
      inputs: { dataset_inputs: r.inputs },
    };
  }
}
