import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { TinyMLOpsError } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';

/** Where `npm run build -w @tinymlops/dashboard` writes the SPA. */
export const DASHBOARD_DIST = fileURLToPath(new URL('../../../../dashboard/dist', import.meta.url));

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TinySphere</title></head>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>TinySphere is running</h1><p>The web dashboard has not been built yet. Build it with</p>
<pre>npm run build -w @tinymlops/dashboard</pre><p>and reload this page. The API is at <a href="/docs">/docs</a>.</p>
</body></html>`;

/**
 * Serves the dashboard SPA at `/` (assets with long caching, every other non-API GET falls back
 * to index.html); when the build is absent, `/` explains how to build it.
 */
export async function registerDashboardRoutes(app: FastifyInstance, _ctx: AppContext, root = DASHBOARD_DIST) {
  const built = existsSync(`${root}/index.html`);
  if (!built) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html').send(NOT_BUILT));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: 'index.html',
    // The plugin's own Cache-Control would be written after setHeaders and win, index.html included.
    cacheControl: false,
    setHeaders: (res, file) => res.setHeader('cache-control', cacheControlFor(file)),
  });
  // Client-side routes (`/devices/dev_…`) get index.html; unknown API paths and missing files stay 404s.
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (/^\/(api|device|docs|metrics|healthz|readyz)(\/|$)/.test(path) || /\.[a-z0-9]+$/i.test(path)) {
      throw new TinyMLOpsError('NOT_FOUND', `no route GET ${path}`);
    }
    return reply.type('text/html').sendFile('index.html');
  });
}

/**
 * index.html is revalidated on every load (`no-cache`), so after an upgrade the browser fetches the
 * new one and the asset names it lists; Vite's content-hashed assets never change under their
 * name, so they may be kept for a week.
 */
function cacheControlFor(file: string): string {
  return file.endsWith('.html') ? 'no-cache' : 'public, max-age=604800';
}
