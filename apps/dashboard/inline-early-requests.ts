import { build } from 'esbuild';
import type { Plugin } from 'vite';

/** The inline script's source: `prefetchLanding` and the few import-free modules it uses. */
const SOURCE = "import { prefetchLanding } from './src/app/prefetch'; prefetchLanding(window.location);";

/**
 * Compiles `prefetchLanding` (src/app/prefetch.ts) into a classic inline `<script>` at the top of
 * index.html's head, so the landing page's API requests start as soon as the HTML is parsed,
 * before the entry module has even been requested. It goes before the stylesheet, which would
 * otherwise hold it back until the CSS has loaded. TinySphere allows exactly this script by its
 * SHA-256 in the page's Content-Security-Policy (it hashes the built index.html it serves).
 * @example
 * defineConfig({ plugins: [react(), inlineEarlyRequests()] });
 */
export function inlineEarlyRequests(): Plugin {
  return {
    name: 'tinysphere-inline-early-requests',
    transformIndexHtml: {
      order: 'post',
      async handler(html) {
        const out = await build({
          stdin: { contents: SOURCE, resolveDir: import.meta.dirname, loader: 'ts' },
          bundle: true,
          format: 'iife',
          minify: true,
          target: 'es2022',
          legalComments: 'none',
          write: false,
        });
        const code = out.outputFiles[0]?.text.trim() ?? '';
        if (!html.includes('</title>')) throw new Error('index.html has no <title> to put the early requests after');
        return html.replace('</title>', `</title>\n    <script>${code}</script>`);
      },
    },
  };
}
