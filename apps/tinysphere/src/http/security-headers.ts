import type { FastifyInstance } from 'fastify';

/**
 * The dashboard's Content-Security-Policy: its own scripts, styles, images (thumbnails come from
 * the API, the favicon is a data: URI) and API calls only; no plugins, no <base> tricks, never in
 * a frame. Vite builds external scripts and stylesheets, and React sets style props through the
 * CSSOM, which style-src does not govern. The one inline script (index.html's early API requests)
 * is allowed by its hash, `scriptHashes` (`'sha256-…'`), never by 'unsafe-inline'.
 * @example
 * reply.header('content-security-policy', dashboardCsp(["'sha256-…'"]));
 */
export function dashboardCsp(scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'self'",
    ["script-src 'self'", ...scriptHashes].join(' '),
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Any other HTML (the "not built yet" page): no inline script at all. */
const DASHBOARD_CSP = dashboardCsp();

/** The API docs (swagger-ui): the same, but swagger-ui writes some styles inline. */
const DOCS_CSP = DASHBOARD_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

/** JSON and everything else: nothing may load from it, and it may not be framed. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Options of {@link installSecurityHeaders}. */
export interface SecurityHeaderOptions {
  /** Tell browsers to use HTTPS only (Strict-Transport-Security); only when served over TLS. */
  hsts: boolean;
}

/**
 * Headers on every answer: no MIME sniffing, no referrer leaving the origin, no framing
 * (frame-ancestors and the legacy X-Frame-Options), the origin isolated from other windows, and a
 * Content-Security-Policy by kind of answer (dashboard HTML, API docs, or anything else). A route
 * that sets its own CSP (served images: a sandbox) keeps it.
 * @example
 * installSecurityHeaders(app, { hsts: Boolean(tls) });
 */
export function installSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): void {
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (options.hsts) reply.header('strict-transport-security', 'max-age=31536000');
    if (!reply.hasHeader('content-security-policy')) {
      const html = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
      const docs = req.url === '/docs' || req.url.startsWith('/docs/');
      reply.header('content-security-policy', docs ? DOCS_CSP : html ? DASHBOARD_CSP : API_CSP);
    }
    return payload;
  });
}
