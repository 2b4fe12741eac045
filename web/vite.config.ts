import { defineConfig } from 'vite';

// One SPA entry (index.html). The C++ server serves web/dist and falls back to index.html for
// unknown non-API paths, so /tv and any later page are client-side routes.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run fixture` serves the fixture API on 5174; the dev server proxies the API paths to it.
    proxy: {
      '/tv-api': 'http://127.0.0.1:5174',
      '/idea': 'http://127.0.0.1:5174',
      '/api': 'http://127.0.0.1:5174',
      '/stream': 'http://127.0.0.1:5174',
      '/gpt': 'http://127.0.0.1:5174',
      '/ws': { target: 'ws://127.0.0.1:5174', ws: true },
    },
  },
});
