import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVerifyingServer, type VerifyingServer } from './verifying-server.js';

// @signet/axios is Node-first (axios's http adapter), and runs wherever node:http does: Node, Bun and Deno. Each
// runtime runs axios/main.mjs over the published entry points; the verifying server answers 200 only for a
// request whose token jsonwebtoken verifies against the request line and body bytes it received.

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const bin = (name: string, file: string) => require.resolve(`${name}/${file}`);

const RUNTIMES: Record<string, [string, string[]]> = {
  node: [process.execPath, []],
  bun: [bin('bun', 'bin/bun.exe'), []],
  deno: [process.execPath, [bin('deno', 'bin.cjs'), 'run', '--allow-net', '--allow-env', '--allow-read']],
};

for (const [runtime, [command, args]] of Object.entries(RUNTIMES)) {
  describe(`${runtime}: createSignedAxios`, () => {
    let server: VerifyingServer;
    let results: Record<string, string> = {};
    beforeAll(async () => {
      server = await startVerifyingServer();
      const { stdout } = await run(command, [...args, here('../axios/main.mjs'), server.origin], {
        cwd: here('..'),
        env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
        timeout: 120_000,
      });
      results = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, string>;
    }, 180_000);
    afterAll(() => server?.close());

    it.each(['axios JSON POST', 'axios bytes PUT'])('%s: the server verified it with jsonwebtoken', (name) => {
      expect(results[name]).toBe('ok');
      expect(server.verdicts.get('requestSigner RS256')).toBe('verified');
    });
  });
}
