import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

// The checked-in reports (packages/<name>/api/<name>.api.md) show every change to the public API in review.
// api-extractor in check mode (no --local) fails when the built .d.ts no longer matches a report.
// Needs the built packages: `pnpm test` builds first.
describe('API reports', () => {
  it('packages/*/api/*.api.md match the public surface of the built core, axios, fetch and verify', async () => {
    const result = await run(process.execPath, ['scripts/api-report.mjs', '--check'], { cwd: root }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result.code, `API report out of date; run \`pnpm api\` and commit the reports:\n${result.output}`).toBe(0);
  }, 60_000);
});
