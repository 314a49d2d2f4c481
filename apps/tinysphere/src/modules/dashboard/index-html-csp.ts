import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dashboardCsp } from '../../http/security-headers.js';

/** A classic or module `<script>` with a body and no `src`: what a CSP hash has to allow. */
const INLINE_SCRIPT = /<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi;

/**
 * The CSP source expression of each inline script in `html`: the SHA-256 of its text exactly as
 * it stands between the tags, which is what browsers hash.
 * @example
 * inlineScriptHashes('<script>go()</script>'); // ["'sha256-…'"]
 */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(INLINE_SCRIPT)]
    .filter((m) => (m[1] ?? '') !== '')
    .map(
      (m) =>
        `'sha256-${createHash('sha256')
          .update(m[1] ?? '', 'utf8')
          .digest('base64')}'`,
    );
}

let last: { key: string; csp: string } | null = null;

/**
 * The CSP for the built index.html at `file`, allowing its inline scripts by hash. Hashed from
 * the file served, so it cannot drift from the build; recomputed when the file changes (the
 * dashboard may be rebuilt while the server runs), otherwise a stat per page load.
 * @example
 * reply.header('content-security-policy', indexHtmlCsp(path.join(root, 'index.html')));
 */
export function indexHtmlCsp(file: string): string {
  const st = statSync(file);
  const key = `${file}\0${st.mtimeMs}\0${st.size}`;
  if (last?.key !== key) last = { key, csp: dashboardCsp(inlineScriptHashes(readFileSync(file, 'utf8'))) };
  return last.csp;
}
