import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // ELK (graph layout, ~1.5 MB) is already split out: loaded in a worker, or lazily, only on the GRAPHS tab.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    port: 5173,
    proxy: { '/data': 'http://127.0.0.1:6006', '/api': 'http://127.0.0.1:6006', '/socket.io': { target: 'ws://127.0.0.1:6006', ws: true } },
  },
});
