import { defineConfig } from 'tsup';
import { libraryConfig } from '../internal/build/tsup-bundle.js';

// One build for every runtime: nothing in it needs a Node built-in. `node:` specifiers stay as written, so esbuild
// drops the ones only unused code of @signet/internal imports (tsup's rewrite to bare names would keep them).
export default defineConfig({ ...libraryConfig(['src/index.ts']), removeNodeProtocol: false });
