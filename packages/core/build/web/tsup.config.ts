import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { webPlatform } from '../../../internal/build/tsup-bundle.js';

const platformDir = fileURLToPath(new URL('../../src/platform/', import.meta.url));

/**
 * @signet/core for runtimes without node:crypto and node:buffer (Cloudflare Workers without nodejs_compat,
 * browsers): ESM on WebCrypto, in dist/web. Its types are the Node build's (dist/index.d.ts). esbuild fails the build
 * if anything still imports a Node built-in: none is external here.
 */
export default defineConfig({
  entry: { index: 'src/index.ts' },
  outDir: 'dist/web',
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  dts: false,
  sourcemap: true,
  clean: true,
  esbuildPlugins: [webPlatform([platformDir])],
});
