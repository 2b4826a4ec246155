import { defineConfig } from 'tsup';
import { libraryConfig } from '../internal/build/tsup-bundle.js';

export default defineConfig(
  // A provider's API call is not transport: it has its own entry, @signet/axios/providers/2checkout.
  libraryConfig({ index: 'src/index.ts', 'providers/2checkout': 'src/providers/2checkout.ts' }),
);
