import { defineConfig } from 'tsup';
import { bundleInternal } from '../internal/build/tsup-bundle.js';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // tsc --build needs `composite` for the typecheck of the whole workspace; tsup's declaration pass must not use it.
  dts: { compilerOptions: { composite: false, incremental: false } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // @signet/internal is private: its code goes into this package's dist, @signet/core stays a dependency.
  ...bundleInternal,
});
