import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

const coreSources = fileURLToPath(new URL('../../core/src/', import.meta.url));

/**
 * Core's modules that @signet/internal re-exports throw `SignetError` from core's errors.ts: in a bundle, that one
 * import becomes `@signet/core` itself, so no package carries a copy of the class and `instanceof` holds across them.
 */
const coreErrorsExternal: Plugin = {
  name: 'signet-core-errors-external',
  setup(build) {
    build.onResolve({ filter: /^(\.\.?\/)+errors\.js$/ }, (args) => (args.importer.startsWith(coreSources) ? { path: '@signet/core', external: true } : undefined));
  },
};

/**
 * The tsup options every package that imports `@signet/internal` adds: bundle its sources (it is never published,
 * so a published package may not depend on it) and keep `@signet/core` external.
 */
export const bundleInternal = {
  noExternal: ['@signet/internal'],
  external: ['@signet/core'],
  esbuildPlugins: [coreErrorsExternal],
} satisfies Options;

/**
 * The build every published library shares: ESM and CommonJS with declarations and source maps, for Node 20, and
 * (unless `bundle: false`, for core itself) @signet/internal bundled in.
 */
export function libraryConfig(entry: Options['entry'], { bundle = true }: { bundle?: boolean } = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    // tsc --build needs `composite` for the typecheck of the whole workspace; tsup's declaration pass must not use it.
    dts: { compilerOptions: { composite: false, incremental: false } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    // @signet/internal is private: its code goes into this package's dist, @signet/core stays a dependency.
    ...(bundle ? bundleInternal : {}),
  };
}

/**
 * The web builds' one difference from the Node builds: a module of a platform folder (`src/platform/` of core, and of
 * verify, which bundles core's too) with a `.web.ts` twin is replaced by it, whoever imports it
 * (`./platform/crypto.js` → `./platform/crypto.web.ts`). Shared code imports only the Node names, so the Node build is
 * the code as written.
 */
export function webPlatform(platformDirs: readonly string[]): Plugin {
  return {
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
}
