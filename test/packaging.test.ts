import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
// The packages the consumer project installs; every published library is checked by publint and attw.
const packages = ['core', 'axios', 'verify', 'fetch'] as const;
const published = [...packages, 'pkcs11', 'aws-kms'] as const;
const versionOf = (name: string): string => (JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { version: string }).version;
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);

let scratch: string;

// A project outside the workspace installs the packed tarballs, as a user would install the published packages.
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'signet-consumer-'));
  const packs = join(scratch, 'packs');
  for (const name of packages) await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(root, 'packages', name) });
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'signet-consumer', private: true }));
  const tarballs = packages.map((name) => join(packs, `signet-${name}-${versionOf(name)}.tgz`));
  await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs, 'axios@^1.21.1', 'typescript@5.9.3', '@types/node@^20'], { cwd: scratch, timeout: 240_000 });
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(published)('@signet/%s as published', (name) => {
  it('passes publint --strict', async () => {
    const { stdout } = await run(bin('publint'), ['--strict'], { cwd: join(root, 'packages', name) });
    expect(stdout).toContain('All good!');
  }, 120_000);

  // @signet/internal is private: its code is bundled, never imported, and it never brings its own SignetError.
  it('bundles @signet/internal, imports nothing unpublished, carries no copy of SignetError', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; dependencies?: Record<string, string> };
    const subpaths: Record<string, string[]> = { axios: ['./providers/2checkout'], verify: ['./fastify', './hono'] };
    expect(Object.keys(manifest.exports).sort()).toEqual(['.', './package.json', ...(subpaths[name] ?? [])].sort());
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('@signet/internal');
    const entries = ['index', ...(subpaths[name] ?? []).map((subpath) => subpath.slice(2))];
    // verify's web build (ESM only): its entries, their declarations, and the chunk they share.
    const webFiles =
      name === 'verify'
        ? [
            'web/index.js',
            'web/hono.js',
            'web/index.d.ts',
            'web/hono.d.ts',
            ...readdirSync(join(root, 'packages', name, 'dist', 'web'))
              .filter((file) => file.startsWith('chunk-') && file.endsWith('.js'))
              .map((file) => `web/${file}`),
          ]
        : [];
    for (const file of [...entries.flatMap((entry) => [`${entry}.js`, `${entry}.cjs`, `${entry}.d.ts`, `${entry}.d.cts`]), ...webFiles]) {
      const text = readFileSync(join(root, 'packages', name, 'dist', file), 'utf8');
      expect(text).not.toContain('@signet/internal');
      if (name !== 'core') expect(text).not.toMatch(/class SignetError\b/);
    }
  });

  // Issue 13: the web build (and @signet/fetch's one build) must run where Node's built-ins do not exist.
  it('imports no Node built-in from the entry points a Worker or a browser gets', () => {
    const webEntries: Record<string, string[]> = { core: ['web/index.js'], fetch: ['index.js', 'index.cjs'], verify: ['web/index.js', 'web/hono.js'] };
    for (const file of webEntries[name] ?? []) {
      const text = readFileSync(join(root, 'packages', name, 'dist', file), 'utf8');
      expect(text, file).not.toMatch(/(from\s*|require\(|import\()["'](node:|(buffer|crypto|stream|util|events|http|https|url|perf_hooks|worker_threads)["'])/);
    }
  });

  // node16 profile: the packages need Node 20, whose resolution honours "exports"; node10 never loads them.
  it('passes arethetypeswrong for ESM and CJS consumers (types per condition)', async () => {
    // attw exits non-zero on any problem the profile counts; the table it prints still shows the node10 column.
    const { stdout } = await run(bin('attw'), ['--pack', '.', '--profile', 'node16', '--format', 'ascii'], { cwd: join(root, 'packages', name) });
    expect(stdout).toContain(`@signet/${name}`);
  }, 120_000);
});

// The same program from both module systems: a node:http API on @signet/verify, called by axios and fetch clients.
const program = (load: string): string => `
${load}
const { generateKeyPairSync } = require('node:crypto');
const http = require('node:http');
(async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const server = http.createServer(verify.withSignet(verify.requestVerifier({ publicKey }), (req, res, claims) => res.end(JSON.stringify({ uri: claims.uri }))));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseURL = 'http://127.0.0.1:' + server.address().port + '/v1';
  const signer = core.requestSigner({ apiKey: 'consumer', privateKey });
  const viaAxios = (await signedAxios.createSignedAxios(signer, { baseURL }).post('/a?x=1', { a: 1 })).data.uri;
  const viaFetch = (await (await signedFetch.createSignedFetch(signer, { baseURL })('/b', { method: 'POST', body: 'raw' })).json()).uri;
  server.close();
  // Errors thrown by the code each package bundled from @signet/internal are the one SignetError of @signet/core.
  const thrownBy = (fn) => { try { fn(); } catch (error) { return error instanceof core.SignetError && error.code; } return 'no error'; };
  const errors = [
    thrownBy(() => verify.requestVerifier({ publicKey, clockTolerance: 5 })),
    thrownBy(() => signedAxios.createSignedAxios(signer, { baseURL }, { maxBufferedBytes: 1 })),
    thrownBy(() => signedFetch.createSignedFetch(signer, { baseURL: 'ftp://example.com' })),
  ];
  console.log(JSON.stringify([viaAxios, viaFetch, errors]));
})();
`;

// Workers, browsers and their bundlers match workerd/worker/browser before import/require; Node, Bun and Deno match
// none of them and keep the node:crypto build (runtimes/test checks what each resolves by running it there).
describe("@signet/core's export conditions", () => {
  it('send workerd, worker, browser and the default to the web build, import and require to the Node build', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')) as { exports: { '.': Record<string, { types: string; default: string }> } };
    const conditions = manifest.exports['.'];
    expect(Object.keys(conditions)).toEqual(['workerd', 'worker', 'browser', 'import', 'require', 'default']);
    for (const name of ['workerd', 'worker', 'browser', 'default']) expect(conditions[name]).toEqual({ types: './dist/index.d.ts', default: './dist/web/index.js' });
    expect(conditions['import']?.default).toBe('./dist/index.js');
    expect(conditions['require']?.default).toBe('./dist/index.cjs');
  });
});

describe('a consumer project outside the workspace', () => {
  it('uses the packages from CommonJS', async () => {
    const file = join(scratch, 'consumer.cjs');
    writeFileSync(file, program(`const core = require('@signet/core'); const signedAxios = require('@signet/axios'); const signedFetch = require('@signet/fetch'); const verify = require('@signet/verify');`));
    const { stdout } = await run(process.execPath, [file], { cwd: scratch });
    expect(JSON.parse(stdout)).toEqual(['/v1/a?x=1', '/v1/b', ['ERR_INVALID_OPTION', 'ERR_INVALID_OPTION', 'ERR_INVALID_OPTION']]);
  }, 60_000);

  it('uses the packages from ESM', async () => {
    const file = join(scratch, 'consumer.mjs');
    const load = `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
import * as core from '@signet/core'; import * as signedAxios from '@signet/axios'; import * as signedFetch from '@signet/fetch'; import * as verify from '@signet/verify';`;
    writeFileSync(file, program(load));
    const { stdout } = await run(process.execPath, [file], { cwd: scratch });
    expect(JSON.parse(stdout)).toEqual(['/v1/a?x=1', '/v1/b', ['ERR_INVALID_OPTION', 'ERR_INVALID_OPTION', 'ERR_INVALID_OPTION']]);
  }, 60_000);

  it('gets the web build under the workerd condition, and it signs the same HS256 token as the Node build', async () => {
    const file = join(scratch, 'consumer-web.mjs');
    writeFileSync(
      file,
      `import * as core from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
const signer = core.jwtSigner({ algorithm: 'HS256', key: 'k'.repeat(32), claims: { sub: 'c' }, clock: () => 1700000000000 });
const { Authorization } = await signer.sign({ method: 'GET', url: '/' });
console.log(JSON.stringify([import.meta.resolve('@signet/core'), typeof createSignedFetch, Authorization]));`,
    );
    const [webEntry, fetchType, webToken] = JSON.parse((await run(process.execPath, ['--conditions=workerd', file], { cwd: scratch })).stdout) as string[];
    const [nodeEntry, , nodeToken] = JSON.parse((await run(process.execPath, [file], { cwd: scratch })).stdout) as string[];
    expect(webEntry).toMatch(/\/@signet\/core\/dist\/web\/index\.js$/);
    expect(nodeEntry).toMatch(/\/@signet\/core\/dist\/index\.js$/);
    expect(fetchType).toBe('function');
    expect(webToken).toBe(nodeToken);
  }, 60_000);

  it('type-checks its TypeScript usage, as ESM and as CommonJS, and the types catch a wrong option', async () => {
    const usage = `
import { requestSigner, SignetError, type Signer, type SignetErrorCode } from '@signet/core';
import { createSignedAxios, attachSigner } from '@signet/axios';
import { createSignedFetch } from '@signet/fetch';
import { requestVerifier, signetMiddleware, memoryReplayStore } from '@signet/verify';
import axios from 'axios';
const signer: Signer = requestSigner({ apiKey: 'k', privateKey: '', expiresInSeconds: 55, offload: 'always' });
const api = createSignedAxios(signer, { baseURL: 'https://api.example.com/v1' }, { clockSkew: 'auto' });
const detach: () => void = attachSigner(axios.create({ baseURL: 'https://api.example.com' }), signer);
const signedFetch: (input: string) => Promise<Response> = createSignedFetch(signer, { baseURL: 'https://api.example.com' });
const middleware = signetMiddleware(requestVerifier({ publicKey: '', replay: memoryReplayStore() }));
const code: SignetErrorCode = new SignetError('ERR_KEY_INVALID', 'x').code;
// @ts-expect-error expiresInSeconds is a number
requestSigner({ apiKey: 'k', privateKey: '', expiresInSeconds: '55' });
export { api, detach, signedFetch, middleware, code };
`;
    writeFileSync(join(scratch, 'usage.mts'), usage);
    writeFileSync(join(scratch, 'usage.cts'), usage.replace("import axios from 'axios';", "import axios = require('axios');"));
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, types: ['node'], skipLibCheck: false }, files: ['usage.mts', 'usage.cts'] }),
    );
    const result = await run(join(scratch, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: scratch }).then(
      () => ({ code: 0, output: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
    );
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);
});
