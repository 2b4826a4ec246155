import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { libraryConfig, webPlatform } from '../internal/build/tsup-bundle.js';

// verify's platform seam, and core's (bundled in through @signet/internal).
const platformDirs = ['src/platform/', '../core/src/platform/'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)));

const node = libraryConfig(['src/index.ts', 'src/hono.ts', 'src/fastify.ts']);

// The Node build cleans dist first; the web build writes dist/web after it, in parallel, so it must not clean.
export default defineConfig([
  node,
  {
    ...node,
    entry: { index: 'src/web.ts', hono: 'src/hono.ts' },
    outDir: 'dist/web',
    format: ['esm'],
    clean: false,
    platform: 'browser',
    target: 'es2022',
    esbuildPlugins: [...(node.esbuildPlugins ?? []), webPlatform(platformDirs)],
  },
]);
