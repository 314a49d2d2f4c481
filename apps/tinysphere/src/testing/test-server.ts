import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EnrolmentResponse } from '@tinymlops/contracts';
import { buildApp, type App, type AppOptions } from '../app.js';
import { createApiToken } from '../modules/devices/tokens.js';
import { FsBlobStore } from '../storage/blob-stores/fs.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { DatabaseEngine } from './database-engines.js';
import type { OpenDatabase } from '../storage/open-database.js';

/** A running server on loopback with a fresh database and blob dir, plus request shortcuts. */
export interface TestServer {
  readonly app: App;
  readonly url: string;
  readonly db: OpenDatabase;
  readonly blobs: BlobStore;
  readonly adminToken: string;
  readonly engineerToken: string;
  readonly viewerToken: string;
  /** fetch against the server with a bearer token and optional JSON body. */
  call(
    method: string,
    route: string,
    opts?: { token?: string; json?: unknown; body?: string | Buffer; headers?: Record<string, string> },
  ): Promise<Response>;
  /** Enrols a device with the demo token. */
  enrol(hardwareId: string, extra?: Record<string, unknown>): Promise<EnrolmentResponse>;
  /** Uploads a package body for a device. */
  upload(token: string, packageId: string, body: Buffer, sha256?: string): Promise<Response>;
  stop(): Promise<void>;
}

export const DEMO_TOKEN = 'demo-open-enrolment';

/**
 * Starts a real server on 127.0.0.1 (port 0) for one test file.
 * @example
 * const s = await startTestServer(engine); const r = await s.call('GET', '/healthz'); await s.stop();
 */
export async function startTestServer(engine: DatabaseEngine, options: Partial<AppOptions> = {}): Promise<TestServer> {
  const db = await engine.open();
  const dir = await mkdtemp(path.join(tmpdir(), 'tinysphere-test-'));
  const blobs = options.blobs ?? (await FsBlobStore.open(dir));
  const app = await buildApp({
    db: db.db,
    blobs,
    ...options,
    // No rate limits unless a test sets one: suites send far more than a device would, and as
    // fast as the machine allows, so the default limits would make them depend on its speed.
    config: {
      demoEnrolmentToken: DEMO_TOKEN,
      deviceRequestsPerMinute: 0,
      enrolmentsPerMinute: 0,
      authFailuresPerMinute: 0,
      // Tests run maintenance themselves (app.maintenance.runOnce), at the moment they choose.
      maintenanceIntervalMs: 0,
      ...options.config,
    },
  });
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const address = app.http.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const [admin, engineer, viewer] = await Promise.all([
    createApiToken(db.db, 'test-admin', 'admin'),
    createApiToken(db.db, 'test-engineer', 'engineer'),
    createApiToken(db.db, 'test-viewer', 'viewer'),
  ]);
  const call: TestServer['call'] = (method, route, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    let body: string | Buffer | undefined = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    }
    return fetch(url + route, { method, headers, ...(body !== undefined ? { body } : {}) });
  };
  return {
    app,
    url,
    db,
    blobs,
    adminToken: admin.apiToken,
    engineerToken: engineer.apiToken,
    viewerToken: viewer.apiToken,
    call,
    enrol: async (hardwareId, extra = {}) => {
      const r = await call('POST', '/device/v1/enrol', {
        json: {
          schemaVersion: 1,
          enrolmentToken: DEMO_TOKEN,
          hardwareId,
          platform: { arch: 'x64', os: 'linux', node: '20.20.2' },
          ...extra,
        },
      });
      if (r.status !== 201) throw new Error(`enrol failed: ${r.status} ${await r.text()}`);
      return (await r.json()) as EnrolmentResponse;
    },
    upload: (token, packageId, body, sha256) =>
      call('PUT', `/device/v1/packages/${packageId}`, {
        token,
        body,
        headers: {
          'content-type': 'application/gzip',
          'x-content-sha256': sha256 ?? createHash('sha256').update(body).digest('hex'),
        },
      }),
    stop: async () => {
      await app.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Loosely typed JSON for assertions in tests (the contracts check shapes where it matters). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A response body as loosely typed JSON. */
export async function readJson(r: Response | Promise<Response>): Promise<Json> {
  return (await r).json();
}

/** Polls `read` until `done` holds (usable in hooks, where expect.poll is not). */
export async function waitUntil<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
