import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The dashboard SPA; TinySphere serves `dist/` at `/`. `npm run dev` proxies the API to a local server. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 900 },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/device': 'http://127.0.0.1:8080' },
  },
});
