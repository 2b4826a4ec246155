import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; the built packages are exercised by the examples.
    alias: { '@signet/core': src('core'), '@signet/axios': src('axios') },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The json report is what .ci/run counts; the default reporter is what people read.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
  },
});
