// Builds the web console (React, sources in app/) into dist/console, which the hub serves.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./app'),
  base: '/',
  publicDir: here('./app/public'),
  plugins: [react()],
  build: {
    outDir: here('../../../dist/console'),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
});
