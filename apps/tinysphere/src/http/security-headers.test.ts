import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../app-context.js';
import { registerDashboardRoutes } from '../modules/dashboard/dashboard-routes.js';
import { databaseEngines } from '../testing/database-engines.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { installSecurityHeaders } from './security-headers.js';

describe('security headers of the dashboard', () => {
  it('sends a CSP that allows only the dashboard’s own scripts, styles and calls, and no framing', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'dashboard-csp-'));
    await mkdir(path.join(root, 'assets'));
    await writeFile(path.join(root, 'index.html'), '<!doctype html><script type="module" src="/assets/a.js"></script>');
    await writeFile(path.join(root, 'assets', 'a.js'), '');
    const app = Fastify();
    installSecurityHeaders(app, { hsts: false });
    await registerDashboardRoutes(app, {} as AppContext, root);
    try {
      const r = await app.inject({ method: 'GET', url: '/devices/dev_abcdefgh' });
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/); // no 'unsafe-inline', no 'unsafe-eval'
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(csp).not.toMatch(/unsafe/);
      expect(r.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
      });
      expect(r.headers['strict-transport-security']).toBeUndefined(); // only over TLS
    } finally {
      await app.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('the CSP of a built dashboard with an inline script', () => {
  const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const page = (script: string) =>
    `<!doctype html><head><title>T</title><script>${script}</script>` +
    '<script type="module" crossorigin src="/assets/a.js"></script></head>';

  it('allows exactly that script by its hash, and follows a rebuild', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'dashboard-csp-hash-'));
    await writeFile(path.join(root, 'index.html'), page('fetch("/api/v1/session")'));
    const app = Fastify();
    installSecurityHeaders(app, { hsts: false });
    await registerDashboardRoutes(app, {} as AppContext, root);
    const scriptSrc = async (url: string) => {
      const r = await app.inject({ method: 'GET', url });
      return /script-src ([^;]*)/.exec(String(r.headers['content-security-policy']))?.[1];
    };
    try {
      expect(await scriptSrc('/')).toBe(`'self' ${sha256('fetch("/api/v1/session")')}`);
      expect(await scriptSrc('/drift?range=24h')).toBe(`'self' ${sha256('fetch("/api/v1/session")')}`);
      // A rebuild while the server runs: the new script's hash, not the old one's.
      await writeFile(path.join(root, 'index.html'), page('fetch("/api/v1/overview")'));
      const later = new Date(Date.now() + 5_000);
      await utimes(path.join(root, 'index.html'), later, later);
      expect(await scriptSrc('/')).toBe(`'self' ${sha256('fetch("/api/v1/overview")')}`);
      const r = await app.inject({ method: 'GET', url: '/' });
      expect(String(r.headers['content-security-policy'])).not.toMatch(/unsafe/);
    } finally {
      await app.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe.each(databaseEngines().slice(0, 1))('what a production server exposes ($name)', (engine) => {
  let open: TestServer;
  let closed: TestServer;
  beforeAll(async () => {
    open = await startTestServer(engine);
    closed = await startTestServer(engine, { config: { metricsAccess: 'token', docs: false } });
  });
  afterAll(async () => {
    await open.stop();
    await closed.stop();
  });

  it('answers API calls with nosniff and a CSP that loads nothing', async () => {
    const r = await open.call('GET', '/api/v1/devices', { token: open.viewerToken });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('serves /metrics and /docs to anyone by default', async () => {
    expect((await open.call('GET', '/metrics')).status).toBe(200);
    expect((await open.call('GET', '/docs/json')).status).toBe(200);
  });

  it('with --metrics token and --no-docs: /metrics needs an API token, /docs is gone', async () => {
    expect((await closed.call('GET', '/metrics')).status).toBe(401);
    const r = await closed.call('GET', '/metrics', { token: closed.viewerToken });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('tinysphere_heartbeats_total');
    expect((await closed.call('GET', '/docs/json')).status).toBe(404);
    expect((await closed.call('GET', '/docs')).status).toBe(404);
  });
});
