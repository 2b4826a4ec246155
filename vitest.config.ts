import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; the built packages are exercised by the examples.
    alias: [
      { find: /^@signet\/core\/internal$/, replacement: fileURLToPath(new URL('./packages/core/src/internal.ts', import.meta.url)) },
      { find: /^@signet\/(core|axios|verify|fetch)$/, replacement: fileURLToPath(new URL('./packages/$1/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'interop/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The json report is what .ci/run counts; the default reporter is what people read.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
  },
});
