import type { ArtifactStore } from './artifact-store.js';
import { list, str, type FakeRequest, type Handler, type RawAnswer } from './fake-request.js';
import { invalid } from './mlflow-fake-error.js';
import type { RegistryStore } from './registry-store.js';
import type { KeyValue, TrackingStore } from './tracking-store.js';
import type { WebhookDispatcher, WebhookEventJson } from './webhook-dispatcher.js';

const API = '/api/2.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

/**
 * Where a version's files are, as `get-download-uri` answers: `runs:/<run id>/<path>` resolves
 * to the run's artifact URI plus the path; any other source is returned as is.
 */
function downloadUri(tracking: TrackingStore, source: string): string {
  const m = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
  if (!m) return source;
  const root = tracking.run(m[1] as string).info.artifact_uri;
  return m[2] ? `${root}/${m[2]}` : root;
}

/** The model-registry endpoints of model_registry.proto, and webhooks of webhooks.proto. */
export function registryRoutes(
  registry: RegistryStore,
  tracking: TrackingStore,
  webhooks: WebhookDispatcher,
): Record<string, Handler> {
  const version = (req: FakeRequest) => registry.versionJson(str(req, 'name'), str(req, 'version'));
  return {
    [`POST ${API}/registered-models/create`]: (req) => ({
      registered_model: registry.createModel(
        str(req, 'name'),
        list<KeyValue>(req, 'tags'),
        str(req, 'description', true),
      ),
    }),
    [`GET ${API}/registered-models/get`]: (req) => ({ registered_model: registry.modelJson(str(req, 'name')) }),
    [`POST ${API}/model-versions/create`]: (req) => {
      const runId = str(req, 'run_id', true);
      if (runId) tracking.run(runId);
      const v = {
        source: str(req, 'source'),
        ...(runId ? { run_id: runId } : {}),
        tags: list<KeyValue>(req, 'tags'),
        ...optional(req, ['run_link', 'description']),
      };
      return { model_version: registry.createVersion(str(req, 'name'), v) };
    },
    [`GET ${API}/model-versions/get`]: (req) => ({ model_version: version(req) }),
    [`GET ${API}/model-versions/search`]: (req) => ({
      model_versions: registry.searchVersions(str(req, 'filter', true)),
    }),
    [`GET ${API}/model-versions/get-download-uri`]: (req) => ({
      artifact_uri: downloadUri(tracking, version(req).source),
    }),
    [`POST ${API}/model-versions/set-tag`]: (req) => {
      registry.setVersionTag(str(req, 'name'), str(req, 'version'), str(req, 'key'), str(req, 'value'));
      return {};
    },
    [`POST ${API}/registered-models/alias`]: (req) => {
      registry.setAlias(str(req, 'name'), str(req, 'alias'), str(req, 'version'));
      return {};
    },
    [`DELETE ${API}/registered-models/alias`]: (req) => {
      registry.deleteAlias(str(req, 'name'), str(req, 'alias'));
      return {};
    },
    [`GET ${API}/registered-models/alias`]: (req) => ({
      model_version: registry.versionByAlias(str(req, 'name'), str(req, 'alias')),
    }),
    [`POST ${API}/webhooks`]: (req) => ({ webhook: webhooks.create(req.body as { events?: WebhookEventJson[] }) }),
    [`GET ${API}/webhooks`]: () => ({ webhooks: webhooks.list() }),
  };
}

function optional(req: FakeRequest, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((n) => (str(req, n, true) === undefined ? [] : [[n, str(req, n)]])));
}

/**
 * The proxied artifact service of mlflow_artifacts.proto: `PUT|GET {ARTIFACTS}/<path>` and
 * `GET {ARTIFACTS}?path=<dir>` (children by base name). Path-parameter routes are matched by prefix.
 */
export function artifactRoute(artifacts: ArtifactStore, req: FakeRequest): unknown {
  if (req.path === ARTIFACTS && req.method === 'GET') return { files: artifacts.list(str(req, 'path', true) ?? '') };
  if (!req.path.startsWith(`${ARTIFACTS}/`)) return undefined;
  const path = decodeURIComponent(req.path.slice(ARTIFACTS.length + 1));
  if (req.method === 'PUT') {
    artifacts.put(path, req.raw);
    return {};
  }
  if (req.method === 'GET')
    return { raw: artifacts.get(path), contentType: 'application/octet-stream' } satisfies RawAnswer;
  throw invalid(`${req.method} is not supported on artifacts`);
}

/** `DELETE /mlflow/webhooks/{webhook_id}`. */
export function webhookDeleteRoute(webhooks: WebhookDispatcher, req: FakeRequest): unknown {
  const m = /^\/api\/2\.0\/mlflow\/webhooks\/([^/]+)$/.exec(req.path);
  if (!m || req.method !== 'DELETE') return undefined;
  webhooks.delete(m[1] as string);
  return {};
}
