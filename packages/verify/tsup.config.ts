import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import { libraryConfig } from '../internal/build/tsup-bundle.js';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * The web build's one difference from the Node build: every `./platform/<name>.js` import (verify's, and core's
 * bundled through @signet/internal once it has one) resolves to `<name>.web.ts` where that file exists. The shared
 * code imports the Node-named module, so the Node build is the code as written.
 */
const webPlatform: Plugin = {
  name: 'signet-web-platform',
  setup(build) {
    build.onResolve({ filter: /(^|\/)platform\/[\w-]+\.js$/ }, (args) => {
      const web = join(args.resolveDir, args.path.replace(/\.js$/, '.web.ts'));
      return existsSync(web) ? { path: web } : undefined;
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
