import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const page = (name: string) => resolve(import.meta.dirname, name, 'index.html');

/** One multi-page build: /pos/, /kds/ and /admin/ share the hashed assets in /assets/. */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: { pos: page('pos'), kds: page('kds'), admin: page('admin') } },
  },
});
