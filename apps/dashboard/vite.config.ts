import { createRequire } from 'node:module';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { inlineEarlyRequests } from './inline-early-requests';
import { preloadAppChunks } from './preload-app-chunks';

// react-router's package exports name only its development build (remix-run/react-router#12532);
// the production one, beside it, drops the development warnings from the landing page's script.
const routerProduction = path.join(
  path.dirname(createRequire(import.meta.url).resolve('react-router/package.json')),
  'dist/production/index.mjs',
);

/** The dashboard SPA; TinySphere serves `dist/` at `/`. `npm run dev` proxies the API to a local server. */
export default defineConfig(({ command }) => ({
  root: import.meta.dirname,
  plugins: [react(), preloadAppChunks(), inlineEarlyRequests()],
  resolve: command === 'build' ? { alias: [{ find: /^react-router$/, replacement: routerProduction }] } : {},
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      // Contracts only declare schemas, and zod builds each one eagerly (the largest part of the
      // app's start-up): a contracts module no page imports from, and a `z.…` schema nothing
      // uses, may be left out, so the Overview's chunk builds the schemas it parses, not all.
      treeshake: {
        moduleSideEffects: (id) => !id.includes('/packages/contracts/src/'),
        manualPureFunctions: ['z'],
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/device': 'http://127.0.0.1:8080' },
  },
}));
