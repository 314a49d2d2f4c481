import type { ArtifactStore } from './artifact-store.js';
import { list, num, str, type FakeRequest, type Handler } from './fake-request.js';
import { invalid } from './mlflow-fake-error.js';
import type { DatasetInputJson, KeyValue, MetricJson, TrackingStore } from './tracking-store.js';

const API = '/api/2.0/mlflow';

function metricOf(m: Record<string, unknown>): MetricJson {
  if (typeof m['key'] !== 'string') throw invalid("Missing value for required parameter 'metrics[].key'");
  return {
    key: m['key'],
    value: num(m, 'value') as number,
    timestamp: num(m, 'timestamp') as number,
    step: num(m, 'step', true) ?? 0,
  };
}

const runId = (req: FakeRequest) => str(req, 'run_id', true) ?? str(req, 'run_uuid');

/**
 * The tracking endpoints of `service.proto` that TinySphere, the retrain script and the tests use:
 * experiments get-by-name/get/create, runs create/update/get/search, log-metric/-parameter/-batch,
 * set-tag, log-inputs, metrics get-history, artifacts list.
 */
export function trackingRoutes(store: TrackingStore, artifacts: ArtifactStore): Record<string, Handler> {
  return {
    [`GET ${API}/experiments/get-by-name`]: (req) => ({
      experiment: store.experimentByName(str(req, 'experiment_name')),
    }),
    [`GET ${API}/experiments/get`]: (req) => ({ experiment: store.experimentJson(str(req, 'experiment_id')) }),
    [`POST ${API}/experiments/create`]: (req) => ({
      experiment_id: store.createExperiment(str(req, 'name'), list<KeyValue>(req, 'tags')),
    }),
    [`POST ${API}/runs/create`]: (req) => ({
      run: store.createRun(
        str(req, 'experiment_id', true) ?? '0',
        str(req, 'run_name', true),
        num(req, 'start_time', true),
        list<KeyValue>(req, 'tags'),
      ),
    }),
    [`POST ${API}/runs/update`]: (req) => ({
      run_info: store.updateRun(
        runId(req),
        str(req, 'status', true),
        num(req, 'end_time', true),
        str(req, 'run_name', true),
      ),
    }),
    [`GET ${API}/runs/get`]: (req) => ({ run: store.runJson(runId(req)) }),
    [`POST ${API}/runs/search`]: (req) => searchRuns(store, req),
    [`POST ${API}/runs/log-metric`]: (req) => {
      store.logBatch(runId(req), [metricOf(req.body)], [], []);
      return {};
    },
    [`POST ${API}/runs/log-parameter`]: (req) => {
      store.logBatch(runId(req), [], [{ key: str(req, 'key'), value: str(req, 'value') }], []);
      return {};
    },
    [`POST ${API}/runs/set-tag`]: (req) => {
      store.logBatch(runId(req), [], [], [{ key: str(req, 'key'), value: str(req, 'value') }]);
      return {};
    },
    [`POST ${API}/runs/log-batch`]: (req) => {
      const metrics = list<Record<string, unknown>>(req, 'metrics').map(metricOf);
      store.logBatch(str(req, 'run_id'), metrics, list<KeyValue>(req, 'params'), list<KeyValue>(req, 'tags'));
      return {};
    },
    [`POST ${API}/runs/log-inputs`]: (req) => {
      store.logInputs(str(req, 'run_id'), list<DatasetInputJson>(req, 'datasets'));
      return {};
    },
    [`GET ${API}/metrics/get-history`]: (req) => ({ metrics: store.metricHistory(runId(req), str(req, 'metric_key')) }),
    [`GET ${API}/artifacts/list`]: (req) => {
      const run = store.run(runId(req));
      const root = run.info.artifact_uri;
      const prefix = root.replace(/^mlflow-artifacts:\//, '');
      const sub = str(req, 'path', true);
      const files = artifacts
        .list(sub ? `${prefix}/${sub}` : prefix)
        .map((f) => ({ ...f, path: sub ? `${sub}/${f.path}` : f.path }));
      return { root_uri: root, files };
    },
  };
}

/**
 * SearchRuns with the filter forms the callers use, ANDed: `tags.<key> = '<v>'`,
 * `params.<key> = '<v>'`, `attributes.run_name = '<v>'`; newest first.
 */
function searchRuns(store: TrackingStore, req: FakeRequest) {
  const ids = new Set(list<string>(req, 'experiment_ids'));
  const filter = str(req, 'filter', true);
  const clauses = (filter ? filter.split(/\s+and\s+/i) : []).map((c) => {
    const m = /^\s*(tags|params|attributes)\.(?:`([^`]+)`|"([^"]+)"|([\w.-]+))\s*=\s*'([^']*)'\s*$/.exec(c);
    if (!m) throw invalid(`Unsupported filter in this fake: ${c}`);
    return { kind: m[1] as string, key: (m[2] ?? m[3] ?? m[4]) as string, value: m[5] as string };
  });
  const runs = [...store.runs.keys()]
    .map((id) => store.runJson(id))
    .filter((r) => ids.size === 0 || ids.has(r.info.experiment_id))
    .filter((r) =>
      clauses.every(({ kind, key, value }) =>
        kind === 'attributes'
          ? key === 'run_name' && r.info.run_name === value
          : (kind === 'tags' ? r.data.tags : r.data.params).some((kv) => kv.key === key && kv.value === value),
      ),
    )
    .sort((a, b) => b.info.start_time - a.info.start_time);
  return { runs: runs.slice(0, num(req, 'max_results', true) ?? 1000) };
}
