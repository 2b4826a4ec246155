import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['core', 'axios', 'fetch', 'verify', 'cli', 'aws-kms'] as const;

// The slow or heavy files: they build, spawn tsc/eslint or the built CLI, start redis-server, or run many
// iterations (stress, fuzz, property). Anything else that took over ~3 s per file on a 2-CPU machine joins them.
// `pnpm test` runs these and the unit projects; `pnpm test:fast` runs only the unit projects.
const integration = [
  'test/**/*.test.ts',
  'packages/cli/test/**/*.test.ts',
  // A real SoftHSM2 token; provider SDKs used as independent verifiers.
  'packages/pkcs11/test/**/*.test.ts',
  'interop/*/test/**/*.test.ts',
  // The same driver in Node, Bun, Deno and workerd, against the built packages (issue 13).
  'runtimes/test/**/*.test.ts',
  'packages/verify/test/replay-redis*.test.ts',
  'packages/verify/test/redis-smoke.test.ts',
  'packages/verify/test/fuzz.test.ts',
  'packages/verify/test/replay-memory-cost.test.ts',
  'packages/axios/test/stress.test.ts',
  'packages/axios/test/property.test.ts',
  'packages/axios/test/hardening-redaction.test.ts',
];

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; the built packages are exercised by the examples.
    alias: [
      { find: /^@signet\/verify\/(hono|fastify)$/, replacement: fileURLToPath(new URL('./packages/verify/src/$1.ts', import.meta.url)) },
      { find: /^@signet\/axios\/providers\/2checkout$/, replacement: fileURLToPath(new URL('./packages/axios/src/providers/2checkout.ts', import.meta.url)) },
      { find: /^@signet\/internal$/, replacement: fileURLToPath(new URL('./packages/internal/src/index.ts', import.meta.url)) },
      { find: /^@signet\/(core|axios|verify|fetch|pkcs11|aws-kms)$/, replacement: fileURLToPath(new URL('./packages/$1/src/index.ts', import.meta.url)) },
      { find: /^@signet\/test-support$/, replacement: fileURLToPath(new URL('./packages/test-support/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    // Key pairs are generated once per run and injected (testKeys()); toBeSignetError is registered for every file.
    globalSetup: ['packages/test-support/src/global-setup.ts'],
    setupFiles: ['packages/test-support/src/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The json report is what .ci/run counts; the default reporter is what people read.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/test/**/*.test.ts`], exclude: integration },
      })),
      { extends: true as const, test: { name: 'integration', include: integration } },
      // verify's unit tests again on its web seam (crypto.web.ts), as dist/web runs them (issue 13).
      'packages/verify/vitest.web-seam.config.mjs',
    ],
  },
});
