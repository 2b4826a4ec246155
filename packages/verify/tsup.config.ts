import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';
import { libraryConfig } from '../internal/build/tsup-bundle.js';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

// verify's platform seam, and core's (bundled in through @signet/internal).
const platformDirs = ['src/platform/', '../core/src/platform/'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)));

/**
 * The web build's one difference from the Node build: a module of verify's or core's src/platform/ with a `.web.ts`
 * twin is replaced by it, whoever imports it (`../platform/crypto.js` from a scheme, `./bytes.js` from core's
 * der.ts), as core's own web build does. The shared code imports the Node-named module, so the Node build is the
 * code as written.
 */
const webPlatform: Plugin = {
  name: 'signet-web-platform',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const target = resolve(dirname(args.importer), args.path);
      if (!platformDirs.some((dir) => target.startsWith(dir))) return undefined;
      const twin = target.replace(/\.js$/, '.web.ts');
      return existsSync(twin) ? { path: twin } : undefined;
    });
  },
};

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
    esbuildPlugins: [...(node.esbuildPlugins ?? []), webPlatform],
  },
]);
