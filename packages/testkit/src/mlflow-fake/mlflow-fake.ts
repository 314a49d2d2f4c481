import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArtifactStore } from './artifact-store.js';
import type { FakeRequest, Handler, RawAnswer } from './fake-request.js';
import { MlflowFakeError } from './mlflow-fake-error.js';
import { artifactRoute, registryRoutes, webhookDeleteRoute } from './registry-routes.js';
import { RegistryStore } from './registry-store.js';
import { trackingRoutes } from './tracking-routes.js';
import { TrackingStore } from './tracking-store.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

/** Options of {@link startMlflowFake}. */
export interface MlflowFakeOptions {
  /** Require `Authorization: Bearer <token>` or HTTP basic auth, as an authenticating proxy or `mlflow server --app-name basic-auth` would. */
  auth?: { token: string } | { username: string; password: string };
  /** The fake's clock in ms (timestamps of runs, versions, webhooks). */
  now?: () => number;
}

/** A running fake: its base URL (the `MLFLOW_TRACKING_URI`), its state, and controls for tests. */
export interface MlflowFake {
  readonly url: string;
  readonly tracking: TrackingStore;
  readonly registry: RegistryStore;
  readonly artifacts: ArtifactStore;
  readonly webhooks: WebhookDispatcher;
  /** Every request seen, as `METHOD /path`, in order. */
  readonly requests: string[];
  /** The next `count` requests fail with 503 TEMPORARILY_UNAVAILABLE (tests of retries). */
  failNext(count: number): void;
  stop(): Promise<void>;
}

/**
 * Starts an in-process fake of an MLflow tracking server with the model registry, the proxied
 * artifact service and model-registry webhooks, on a free loopback port. Written from MLflow's
 * published protos (`service.proto`, `model_registry.proto`, `mlflow_artifacts.proto`,
 * `webhooks.proto`) and server code: snake_case JSON, int64 as numbers, enums by name, errors as
 * `{"error_code", "message"}`. Only the endpoints TinySphere and its tooling call are implemented.
 * @example
 * const mlflow = await startMlflowFake();
 * process.env.MLFLOW_TRACKING_URI = mlflow.url;
 * await mlflow.stop();
 */
export async function startMlflowFake(options: MlflowFakeOptions = {}): Promise<MlflowFake> {
  const now = options.now ?? Date.now;
  const tracking = new TrackingStore(now);
  const artifacts = new ArtifactStore();
  const webhooks = new WebhookDispatcher(now);
  const registry = new RegistryStore(now, (e) => webhooks.dispatch(e));
  const routes: Record<string, Handler> = {
    ...trackingRoutes(tracking, artifacts),
    ...registryRoutes(registry, tracking, webhooks),
  };
  const requests: string[] = [];
  let failures = 0;
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    void handle(req, res, {
      routes,
      fallback: (r) => artifactRoute(artifacts, r) ?? webhookDeleteRoute(webhooks, r),
      auth: options.auth,
      fail: () => failures > 0 && failures-- > 0,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tracking,
    registry,
    artifacts,
    webhooks,
    requests,
    failNext: (count) => void (failures = count),
    stop: () => stopServer(server, webhooks),
  };
}

async function stopServer(server: Server, webhooks: WebhookDispatcher): Promise<void> {
  await webhooks.settled();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

interface Dispatch {
  routes: Record<string, Handler>;
  fallback: Handler;
  auth: MlflowFakeOptions['auth'];
  fail: () => boolean;
}

async function handle(req: IncomingMessage, res: ServerResponse, d: Dispatch): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  try {
    if (d.fail()) throw new MlflowFakeError('TEMPORARILY_UNAVAILABLE', 'injected failure');
    if (!authorized(req, d.auth)) throw new MlflowFakeError('UNAUTHENTICATED', 'You are not authenticated.');
    const url = new URL(req.url ?? '/', 'http://fake');
    const isArtifact = url.pathname.startsWith('/api/2.0/mlflow-artifacts/');
    const body = !isArtifact && raw.length > 0 ? parseBody(raw) : {};
    const fr: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, raw };
    const route = d.routes[`${fr.method} ${fr.path}`];
    const answer = route ? route(fr) : d.fallback(fr);
    if (answer === undefined) throw new MlflowFakeError('ENDPOINT_NOT_FOUND', `No endpoint ${fr.method} ${fr.path}`);
    if (isRaw(answer)) return void res.writeHead(200, { 'content-type': answer.contentType }).end(answer.raw);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  } catch (err) {
    const e = err instanceof MlflowFakeError ? err : new MlflowFakeError('INTERNAL_ERROR', (err as Error).message);
    res.writeHead(e.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error_code: e.errorCode, message: e.message }));
  }
}

function parseBody(raw: Buffer): Record<string, unknown> {
  try {
    const v = JSON.parse(raw.toString('utf8')) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new MlflowFakeError('BAD_REQUEST', 'The request body is not a JSON object');
}

function isRaw(a: unknown): a is RawAnswer {
  return typeof a === 'object' && a !== null && Buffer.isBuffer((a as RawAnswer).raw);
}

function authorized(req: IncomingMessage, auth: MlflowFakeOptions['auth']): boolean {
  if (!auth) return true;
  const h = req.headers.authorization ?? '';
  if ('token' in auth) return h === `Bearer ${auth.token}`;
  return h === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}
