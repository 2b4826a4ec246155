// Writes (or, with --check, checks) the API report of each library's public surface, packages/<name>/api/<name>.api.md,
// from its built dist/index.d.ts (and subpath entries), so that a change to the public API shows in review. Run `pnpm build` first.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = ['core', 'axios', 'fetch', 'verify', 'pkcs11', 'aws-kms'];
// Subpath entry points with their own public surface get a report of their own: [package, entry under dist/, report name].
const subpaths = { verify: ['hono', 'fastify'], axios: ['providers/2checkout'] };
const reports = packages.flatMap((name) => [[name, 'index', name], ...(subpaths[name] ?? []).map((entry) => [name, entry, `${name}-${entry.replace('/', '-')}`])]);
const check = process.argv.includes('--check');
const temp = mkdtempSync(join(tmpdir(), 'signet-api-'));

let failed = [];
try {
  for (const [name, entry, report] of reports) {
    const projectFolder = join(root, 'packages', name);
    if (!check) mkdirSync(join(projectFolder, 'api'), { recursive: true });
    const config = ExtractorConfig.prepare({
      packageJsonFullPath: join(projectFolder, 'package.json'),
      configObjectFullPath: undefined,
      configObject: {
        projectFolder,
        mainEntryPointFilePath: `<projectFolder>/dist/${entry}.d.ts`,
        // Only the entry point and what it imports: the base options without a project's file list.
        compiler: { overrideTsconfig: { extends: join(root, 'tsconfig.base.json'), files: [] } },
        apiReport: { enabled: true, reportFileName: `${report}.api.md`, reportFolder: '<projectFolder>/api/', reportTempFolder: join(temp, report) },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          // Signet has one release level (public): release tags would be noise on every export.
          extractorMessageReporting: { 'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None } },
          tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        },
      },
    });
    // localBuild: true rewrites the checked-in report; false (--check) fails when it differs from the build.
    const result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false });
    if (!result.succeeded) failed.push(report);
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
if (failed.length > 0) {
  console.error(`API report ${check ? 'out of date' : 'failed'} for: ${failed.join(', ')}${check ? '. Run `pnpm api` and commit packages/*/api/*.api.md.' : ''}`);
  process.exit(1);
}
