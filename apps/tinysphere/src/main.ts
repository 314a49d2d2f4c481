import { readFile } from 'node:fs/promises';
import { buildApp, createWorker, type App } from './app.js';
import { DEFAULT_CONFIG, type AppContext, type ServerConfig } from './app-context.js';
import { liveHub } from './modules/dashboard/live-hub.js';
import { PgLiveRelay } from './modules/dashboard/live-relay.js';
import { createServerMetrics } from './modules/metrics/server-metrics.js';
import { MaintenanceSchedule } from './modules/packages/maintenance-schedule.js';
import type { BlobStore } from './storage/blob-store.js';
import { migrate } from './storage/migrate.js';
import { openBlobStore } from './storage/open-blob-store.js';
import { openDatabase, type OpenDatabase } from './storage/open-database.js';
import type { StorageOptions } from './storage/storage-options.js';

export { DEFAULT_STORAGE, type StorageOptions } from './storage/storage-options.js';

/** Open storage: migrated database and blob store. */
export interface Storage {
  readonly database: OpenDatabase;
  readonly blobs: BlobStore;
  close(): Promise<void>;
}

/**
 * Opens the database (running pending migrations) and the blob store.
 * @example
 * const storage = await openStorage({ db: 'postgres://…', blobs: 'file:/var/lib/tinysphere' });
 */
export async function openStorage(opts: StorageOptions): Promise<Storage> {
  const database = await openDatabase(opts.db, opts.poolSize === undefined ? {} : { poolSize: opts.poolSize });
  try {
    await migrate(database.db);
    const blobs = await openBlobStore(opts.blobs);
    return { database, blobs, close: async () => (await blobs.close?.(), await database.close()) };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** Options of `tinysphere serve`. */
export interface ServeOptions extends StorageOptions {
  port: number;
  host: string;
  workers: number;
  logLevel: string;
  config: Partial<ServerConfig>;
  /** Serve HTTPS (`--tls-cert`, `--tls-key`). */
  tls?: { key: Buffer; cert: Buffer };
}

/**
 * Starts the HTTP server (and its in-process workers) and stops it cleanly on SIGINT/SIGTERM.
 * @example
 * await serve({ ...DEFAULT_STORAGE, port: 8080, host: '127.0.0.1', workers: 2, logLevel: 'info', config: {} });
 */
export async function serve(opts: ServeOptions): Promise<App> {
  const storage = await openStorage(opts);
  const app = await buildApp({
    db: storage.database.db,
    blobs: storage.blobs,
    config: opts.config,
    workers: opts.workers,
    logger: { level: opts.logLevel },
    ...(opts.tls ? { tls: opts.tls } : {}),
  });
  const relay = await relayLive(storage, opts.db, app.ctx, true, (msg, err) => app.http.log.warn({ err }, msg));
  await app.http.listen({ port: opts.port, host: opts.host });
  warnIfExposed(app, opts);
  onShutdown(async () => {
    await app.close();
    await relay?.close();
    await storage.close();
  });
  return app;
}

/**
 * With PostgreSQL, live events cross processes (see PgLiveRelay): an API process hears what the
 * others and the workers changed, a worker tells. PGlite is one process: nothing to relay.
 */
async function relayLive(
  storage: Storage,
  url: string,
  ctx: AppContext,
  listen: boolean,
  warn: (msg: string, err?: unknown) => void,
): Promise<PgLiveRelay | null> {
  if (storage.database.kind !== 'postgres') return null;
  return PgLiveRelay.start({ url, db: storage.database.db, hub: liveHub(ctx), listen, warn });
}

/** Says so at start when a server reachable from other machines shows its internals or speaks plain HTTP. */
function warnIfExposed(app: App, opts: ServeOptions): void {
  const c = app.ctx.config;
  if (opts.host === '127.0.0.1' || opts.host === 'localhost' || opts.host === '::1') return;
  const open = [c.metricsAccess === 'public' ? '/metrics' : '', c.docs ? '/docs' : ''].filter(Boolean);
  if (open.length > 0)
    app.http.log.warn(
      `${open.join(' and ')} can be read by anyone who reaches ${opts.host}; in production use --metrics token and --no-docs`,
    );
  if (!opts.tls && !c.trustProxy)
    app.http.log.warn(
      `serving plain HTTP on ${opts.host}: put a TLS reverse proxy in front (then --trust-proxy) or use --tls-cert/--tls-key`,
    );
}

/**
 * Runs job workers only (no HTTP), e.g. as extra ingestion capacity next to API processes.
 * @example
 * await runWorkers({ db: 'postgres://…', blobs: 'file:/srv/blobs', concurrency: 4 });
 */
export async function runWorkers(
  opts: StorageOptions & { concurrency: number; config?: Partial<ServerConfig> },
): Promise<void> {
  const storage = await openStorage(opts);
  const ctx: AppContext = {
    db: storage.database.db,
    blobs: storage.blobs,
    config: { ...DEFAULT_CONFIG, ...opts.config },
    metrics: createServerMetrics(),
    now: () => new Date(),
    jobEnqueued: () => {},
    detectorFactory: null,
  };
  const warn = (msg: string, err?: unknown) => console.error(msg, err instanceof Error ? err.message : (err ?? ''));
  const worker = createWorker(ctx, opts.concurrency, warn);
  const relay = await relayLive(storage, opts.db, ctx, false, warn);
  worker.start();
  const maintenance = new MaintenanceSchedule(ctx, warn);
  maintenance.start();
  console.log(JSON.stringify({ msg: 'worker started', id: worker.id, concurrency: opts.concurrency }));
  onShutdown(async () => {
    await maintenance.stop();
    await worker.stop();
    await relay?.close();
    await storage.close();
  });
}

/** Reads trusted bundle keys from a JSON file `{ "<keyId>": "<PEM>" }`. */
export async function readTrustedKeys(file: string): Promise<Record<string, string>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
}

function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(`error during ${signal} shutdown`, err);
        process.exit(1);
      });
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}
