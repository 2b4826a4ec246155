import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

const platformDir = fileURLToPath(new URL('../../src/platform/', import.meta.url));

/**
 * The web build's one difference from the Node build: a module of src/platform/ with a `.web.ts` twin is replaced by
 * it (`./platform/crypto.js` → `./platform/crypto.web.ts`). Shared code imports only the Node names.
 */
const webPlatform: Plugin = {
  name: 'signet-web-platform',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const target = resolve(dirname(args.importer), args.path);
      if (!target.startsWith(platformDir)) return undefined;
      const twin = target.replace(/\.js$/, '.web.ts');
      return existsSync(twin) ? { path: twin } : undefined;
    });
  },
};

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
  esbuildPlugins: [webPlatform],
});
