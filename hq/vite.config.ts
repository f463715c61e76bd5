import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The HQ dashboard is served by the cloud side (any static host), never by a restaurant's hub.
 * Relative asset paths, so it works from any folder of any origin.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
  },
});
