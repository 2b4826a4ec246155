import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from '../src/launch.js';
import { startVerifyingServer, type VerifyingServer } from './verifying-server.js';

// Issue 13: the same driver (driver/driver.mjs, published entry points only) in Node, Bun, Deno and workerd. Each
// runtime signs every scheme over createSignedFetch and sends the fetch adapter's body matrix to a node:http server
// that verifies with jsonwebtoken, jose and node:crypto. A gap is listed in KNOWN_GAPS with its reason and runs as
// `it.fails`: the suite stays green, the gap stays visible, and a gap that closes turns the suite red until the list
// says so.

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const packageDir = here('..');
const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** Every case the driver runs, in its order. */
const CASES = [
  'requestSigner RS256',
  'portOneSigner',
  'twoCheckoutSigner',
  'jwtSigner HS256',
  'jwtSigner ES256',
  'jwtSigner EdDSA',
  'fireblocksSigner',
  'coinbaseSigner',
  'dpopSigner',
  'httpMessageSigner ed25519',
  'body: string',
  'body: Uint8Array',
  'body: URLSearchParams',
  'body: FormData',
  'body: Blob',
  'body: ReadableStream',
  'requestVerifier (jsonwebtoken-minted token)',
] as const;
type Case = (typeof CASES)[number];

/** What does not work where, and why (found by running the driver; see the README's Runtimes table). */
const KNOWN_GAPS: Record<string, Partial<Record<Case, string>>> = {
  node: {},
  bun: {},
  deno: {},
  // workerd's crypto.sign refuses { key, dsaEncoding } with a KeyObject; core signs ECDSA as DER and converts it.
  workerd: {},
  'workerd (WebCrypto, no nodejs_compat)': {},
};

/** The binary of a runtime package, resolved from this package (installed by the workspace's pnpm install). */
const bin = (name: string, file: string) => require.resolve(`${name}/${file}`);

/** Runs driver/main.mjs under a runtime and parses the JSON line it prints. */
async function runMain(command: string, args: string[], origin: string): Promise<Record<string, string>> {
  const { stdout } = await run(command, [...args, here('../driver/main.mjs'), origin], {
    cwd: packageDir,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, string>;
}

/**
 * Bundles driver/worker.mjs as a user's bundler would for a Worker, and runs it in workerd through miniflare. With
 * nodejs_compat, Node's built-ins are the runtime's (the published packages import them without the node: prefix).
 * Without it, nothing is external: the bundle fails to build if anything it signs or verifies with still needs a
 * built-in.
 */
async function runWorker(origin: string, nodeCompat: boolean): Promise<Record<string, string>> {
  const script = await bundleWorker(here('../driver/worker.mjs'), packageDir, { nodeCompat });
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: nodeCompat ? ['nodejs_compat'] : [],
  });
  try {
    const response = await mf.dispatchFetch(`http://worker.test/?origin=${encodeURIComponent(origin)}`);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`the Worker answered ${response.status}: ${text.slice(0, 2000)}`);
    return JSON.parse(text) as Record<string, string>;
  } finally {
    await mf.dispose();
  }
}

const RUNTIMES: Record<string, (origin: string) => Promise<Record<string, string>>> = {
  node: (origin) => runMain(process.execPath, [], origin),
  bun: (origin) => runMain(bin('bun', 'bin/bun.exe'), [], origin),
  deno: (origin) => runMain(process.execPath, [bin('deno', 'bin.cjs'), 'run', '--allow-net', '--allow-env', '--allow-read'], origin),
  workerd: (origin) => runWorker(origin, true),
  'workerd (WebCrypto, no nodejs_compat)': (origin) => runWorker(origin, false),
};

beforeAll(() => {
  for (const name of ['core', 'fetch', 'verify']) {
    if (!existsSync(here(`../../packages/${name}/dist/index.js`))) throw new Error(`packages/${name} is not built: run pnpm build first (the driver imports the published entry points).`);
  }
});

for (const [runtime, runDriver] of Object.entries(RUNTIMES)) {
  describe(`${runtime}: the driver over the published entry points`, () => {
    let server: VerifyingServer;
    let results: Record<string, string> = {};
    beforeAll(async () => {
      server = await startVerifyingServer();
      results = await runDriver(server.origin);
      if (process.env['SIGNET_RUNTIME_DEBUG']) console.log(runtime, JSON.stringify({ results, verdicts: Object.fromEntries(server.verdicts) }, null, 1));
    }, 180_000);
    afterAll(() => server?.close());

    it('reports every case', () => {
      expect(Object.keys(results).sort()).toEqual([...CASES].sort());
    });

    for (const name of CASES) {
      const gap = KNOWN_GAPS[runtime]?.[name];
      const title = gap === undefined ? `${name}: verified by the server` : `${name}: known gap (${gap})`;
      (gap === undefined ? it : it.fails)(title, () => {
        // The driver's own report first (what threw in the runtime), then what the server verified on the wire.
        expect(results[name]).toMatch(/^ok/);
        if (name.startsWith('requestVerifier')) expect(results[name]).toMatch(/tampered body refused: ERR_/);
        else expect(server.verdicts.get(name)).toBe('verified');
      });
    }
  });
}
