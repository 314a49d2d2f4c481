import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { inlineEarlyRequests } from './inline-early-requests';
import { preloadAppChunks } from './preload-app-chunks';

/** The dashboard SPA; TinySphere serves `dist/` at `/`. `npm run dev` proxies the API to a local server. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), preloadAppChunks(), inlineEarlyRequests()],
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
});
