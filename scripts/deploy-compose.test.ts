import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { MlflowModelUri } from '@tinymlops/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * No Docker engine runs where these tests run, so the stack is checked statically: the compose
 * file's structure, and that every TinySphere service's command and environment match the options
 * the real CLI declares — read from `tinysphere <command> --help`, which commander renders from
 * the option definitions in the code (flags, `env:` names, and the variables the descriptions
 * name), never from a copied list.
 */
const DEPLOY = path.resolve('deploy');
const BIN = path.resolve('apps/tinysphere/bin/tinysphere.mjs');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  restart?: string;
  entrypoint?: string[];
}

/** The options and environment variables of one CLI command, as its --help shows them. */
async function cliSurface(command: string): Promise<{ flags: Set<string>; env: Set<string> }> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, command, '--help']);
  const flags = new Set([...stdout.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1] as string));
  for (const f of [...flags]) if (f.startsWith('--no-')) flags.add(`--${f.slice(5)}`);
  const env = new Set(
    [...stdout.replace(/\s+/g, ' ').matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|HOST|PORT)\b/g)].map(
      (m) => m[1] as string,
    ),
  );
  return { flags, env };
}

describe('deploy/compose.yaml and deploy/Dockerfile (checked statically: no Docker engine here)', () => {
  const compose = parse(readFileSync(path.join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const services = compose.services;
  const surfaces = new Map<string, { flags: Set<string>; env: Set<string> }>();
  beforeAll(async () => {
    for (const c of ['serve', 'worker', 'migrate']) surfaces.set(c, await cliSurface(c));
  }, 120_000);

  it('has PostgreSQL, MinIO, MLflow and a TinySphere API and worker, with health checks and ordering', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'minio', 'minio-buckets', 'mlflow', 'tinysphere-api', 'tinysphere-worker']),
    );
    for (const [name, s] of Object.entries(services)) {
      if (name === 'minio-buckets') continue; // one-shot
      expect(s.healthcheck?.test.length, `${name} has a health check`).toBeGreaterThan(0);
      expect(s.restart, `${name} restarts`).toBe('unless-stopped');
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        const one = condition === 'service_completed_successfully';
        expect([dep, one ? 'one-shot' : Boolean(services[dep]?.healthcheck)]).toEqual([dep, one ? 'one-shot' : true]);
      }
    }
    for (const s of ['tinysphere-api', 'tinysphere-worker']) {
      expect(Object.keys(services[s]?.depends_on ?? {}).sort()).toEqual(['minio-buckets', 'mlflow', 'postgres']);
      expect(services[s]?.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    }
  });

  it('keeps data in named volumes and secrets out of the file (every secret is a required ${VAR})', () => {
    const used = Object.values(services).flatMap((s) => (s.volumes ?? []).map((v) => v.split(':')[0] as string));
    for (const v of Object.keys(compose.volumes)) expect(used).toContain(v);
    for (const v of used.filter((x) => !x.startsWith('.'))) expect(Object.keys(compose.volumes)).toContain(v);
    for (const [name, s] of Object.entries(services)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN/.test(k))
          expect([name, k, v]).toEqual([name, k, expect.stringMatching(/^\$\{[A-Z_]+(:?[-?][^}]*)?\}$/)]);
      }
    }
    const text = readFileSync(path.join(DEPLOY, 'compose.yaml'), 'utf8');
    expect(
      text.match(/\$\{(POSTGRES_PASSWORD|MINIO_ROOT_PASSWORD|TINYSPHERE_MLFLOW_WEBHOOK_SECRET):\?/g)?.length,
    ).toBeGreaterThan(3);
    const example = readFileSync(path.join(DEPLOY, '.env.example'), 'utf8');
    for (const v of ['POSTGRES_PASSWORD', 'MINIO_ROOT_PASSWORD', 'TINYSPHERE_MLFLOW_WEBHOOK_SECRET'])
      expect(example).toMatch(new RegExp(`^${v}=$`, 'm'));
  });

  it("runs TinySphere's API and worker with commands and environment the real CLI accepts", () => {
    for (const name of ['tinysphere-api', 'tinysphere-worker']) {
      const s = services[name] as Service;
      const [command, ...args] = s.command ?? [];
      const surface = surfaces.get(command as string);
      expect(surface, `${name} runs a tinysphere command`).toBeDefined();
      for (const a of args.filter((x) => x.startsWith('--')))
        expect([name, a, surface?.flags.has(a)]).toEqual([name, a, true]);
      for (const k of Object.keys(s.environment ?? {})) expect([name, k, surface?.env.has(k)]).toEqual([name, k, true]);
      const env = s.environment ?? {};
      expect(env['TINYSPHERE_DB']).toMatch(
        /^postgres:\/\/tinymlops:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/tinysphere$/,
      );
      expect(env['TINYSPHERE_BLOBS']).toBe('s3://tinysphere?endpoint=http://minio:9000&region=us-east-1');
      expect(env['MLFLOW_TRACKING_URI']).toBe('http://mlflow:5000');
      const models = (env['TINYSPHERE_MLFLOW_MODELS'] ?? '').replace(/^\$\{[A-Z_]+:-(.*)\}$/, '$1').split(',');
      for (const m of models) expect(MlflowModelUri.safeParse(m).success, m).toBe(true);
      const check = services[name]?.healthcheck?.test ?? [];
      if (check.includes('migrate')) expect(surfaces.get('migrate')?.env.has('TINYSPHERE_DB')).toBe(true);
    }
    expect(services['tinysphere-api']?.command).toContain('--no-workers');
  });

  it('serves MLflow with a PostgreSQL registry, artifacts on MinIO through its proxy, and webhooks to TinySphere', () => {
    const m = services['mlflow'] as Service;
    const cmd = (m.command ?? []).join(' ');
    expect(cmd).toMatch(
      /--backend-store-uri=postgresql:\/\/tinymlops:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/mlflow /,
    );
    expect(cmd).toContain('--serve-artifacts');
    expect(cmd).toContain('--artifacts-destination=s3://mlflow');
    expect(m.environment).toMatchObject({
      MLFLOW_S3_ENDPOINT_URL: 'http://minio:9000',
      MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'true',
    });
    const buckets = (services['minio-buckets']?.entrypoint ?? []).join(' ');
    expect(buckets).toMatch(/mc mb --ignore-existing local\/tinysphere local\/mlflow/);
    const init = readFileSync(path.join(DEPLOY, 'postgres-init', '10-databases.sql'), 'utf8');
    expect(init).toMatch(/CREATE DATABASE tinysphere;[\s\S]*CREATE DATABASE mlflow;/);
  });

  it('builds TinySphere in stages, for every workspace in the lock file, and runs it unprivileged', () => {
    const docker = readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
    expect(docker.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    const root = JSON.parse(readFileSync('package.json', 'utf8')) as { workspaces: string[] };
    const workspaces = root.workspaces.flatMap((glob) => listDirs(glob.replace(/\/\*$/, '')));
    for (const w of workspaces) expect(docker).toContain(`COPY ${w}/package.json ${w}/`);
    const runtime = docker.slice(docker.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).toContain('ENTRYPOINT ["node", "--max-semi-space-size=8", "apps/tinysphere/bin/tinysphere.mjs"]');
    expect(existsSync(BIN)).toBe(true);
    for (const v of [...runtime.matchAll(/^ENV (.+)$/gm)].flatMap((m) =>
      [...(m[1] as string).matchAll(/([A-Z_]+)=/g)].map((x) => x[1] as string),
    )) {
      // NODE_ENV is Node's, MALLOC_* glibc's (read by the process, not by serve's options).
      if (v !== 'NODE_ENV' && !v.startsWith('MALLOC_'))
        expect([v, surfaces.get('serve')?.env.has(v)]).toEqual([v, true]);
    }
  });
});

/** The workspace folders under `parent` (those with a package.json). */
function listDirs(parent: string): string[] {
  return readdirSync(parent, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(parent, d.name, 'package.json')))
    .map((d) => `${parent}/${d.name}`);
}
