import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../app-context.js';
import { registerDashboardRoutes } from './dashboard-routes.js';

/**
 * Probe finding 5: index.html must be revalidated (`no-cache`) however it is reached, or browsers
 * keep an old index.html after an upgrade and load hashed assets that no longer exist.
 */
describe('dashboard caching', () => {
  let app: FastifyInstance;
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'dashboard-dist-'));
    await mkdir(path.join(root, 'assets'));
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = Fastify();
    await registerDashboardRoutes(app, {} as AppContext, root);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await rm(root, { recursive: true, force: true });
  });

  it.each(['/', '/index.html', '/devices/dev_abcdefgh'])(
    'serves index.html at %s with Cache-Control: no-cache',
    async (url) => {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain('<title>t</title>');
      expect(r.headers['cache-control']).toBe('no-cache');
    },
  );

  it('lets browsers keep hashed assets for a week', async () => {
    const r = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toMatch(/max-age=604800/);
  });
});
