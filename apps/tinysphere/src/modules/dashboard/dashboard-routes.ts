import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { TinyMLOpsError } from '@tinymlops/contracts';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { indexHtmlCsp } from './index-html-csp.js';

/** Where `npm run build -w @tinymlops/dashboard` writes the SPA. */
export const DASHBOARD_DIST = fileURLToPath(new URL('../../../../dashboard/dist', import.meta.url));

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TinySphere</title></head>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>TinySphere is running</h1><p>The web dashboard has not been built yet. Build it with</p>
<pre>npm run build -w @tinymlops/dashboard</pre><p>and reload this page. The API is at <a href="/docs">/docs</a>.</p>
</body></html>`;

/**
 * Serves the dashboard SPA at `/` (assets with long caching, every other non-API GET falls back
 * to index.html); while the build is absent, `/` explains how to build it. The build is looked for
 * at each request, so one that finishes after the server started (the demo builds it while the
 * server starts) is served without a restart.
 */
export async function registerDashboardRoutes(app: FastifyInstance, _ctx: AppContext, root = DASHBOARD_DIST) {
  // Only reply.sendFile (safe paths under root, ETags, ranges); the routes below decide what to send
  // and how long it may be cached (the plugin's own Cache-Control would override ours).
  await app.register(fastifyStatic, { root, serve: false, cacheControl: false });
  const index = (reply: FastifyReply) => {
    if (!existsSync(path.join(root, 'index.html'))) return reply.type('text/html').send(NOT_BUILT);
    // index.html must be revalidated so a new build is picked up; hashed assets may be cached.
    // Its CSP names the build's inline script (the early API requests) by hash.
    const csp = indexHtmlCsp(path.join(root, 'index.html'));
    reply.header('content-security-policy', csp);
    return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
  };
  app.get('/', { schema: { hide: true } }, async (_req, reply) => index(reply));
  // Client-side routes (`/devices/dev_…`) get index.html; unknown API paths and missing files stay 404s.
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const file = req.url.split('?')[0] ?? '';
    if (/^\/(api|device|docs|metrics|healthz|readyz)(\/|$)/.test(file)) {
      throw new TinyMLOpsError('NOT_FOUND', `no route GET ${file}`);
    }
    if (file === '/index.html' || !/\.[a-z0-9]+$/i.test(file)) return index(reply);
    const inRoot = path.resolve(root, `.${decodeURIComponent(file)}`);
    if (!inRoot.startsWith(`${path.resolve(root)}${path.sep}`) || !existsSync(inRoot)) {
      throw new TinyMLOpsError('NOT_FOUND', `no file ${file}`);
    }
    // Vite's assets are content-hashed: a name never changes its content, so a week is safe.
    return reply.header('cache-control', 'public, max-age=604800').sendFile(path.relative(root, inRoot));
  });
}
