import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.js';

/**
 * verify's unit tests again, with the web build's seam (src/platform/crypto.web.ts) in place of the Node one, as
 * the esbuild plugin of tsup.config.ts swaps it for dist/web: every check, refusal code and answer must come out the
 * same on WebCrypto. A project of the root vitest.config.ts (`pnpm test` runs it): `npx vitest run --project
 * "verify (web seam)"`. Left out: the HTTP Message Signatures verifier, which verifies through core's node:crypto
 * helper and is not in the web build.
 */
const verifySources = fileURLToPath(new URL('src/', import.meta.url));

/**
 * verify's own `platform/crypto.js` becomes `crypto.web.ts`; core's modules (the tests sign with core's Node build,
 * KeyObjects and all) stay as they are. The built web bundle, where both are swapped, is tested in
 * runtimes/test/verify-web.test.ts.
 */
const webSeam = {
  name: 'verify-web-seam',
  enforce: 'pre',
  resolveId(source, importer) {
    if (importer === undefined || !importer.startsWith(verifySources) || !/^\.{1,2}(\/\.\.)*\/platform\/crypto\.js$/.test(source)) return null;
    return fileURLToPath(new URL(source.replace(/\.js$/, '.web.ts'), `file://${importer}`));
  },
};

export default defineConfig({
  plugins: [webSeam],
  resolve: base.resolve,
  test: {
    ...base.test,
    root: fileURLToPath(new URL('../..', import.meta.url)),
    projects: undefined,
    name: 'verify (web seam)',
    include: ['packages/verify/test/**/*.test.ts'],
    exclude: [
      'packages/verify/test/httpsig-verifier.test.ts',
      'packages/verify/test/replay-redis*.test.ts',
      'packages/verify/test/redis-smoke.test.ts',
      'packages/verify/test/fuzz.test.ts',
      'packages/verify/test/replay-memory-cost.test.ts',
    ],
  },
});
