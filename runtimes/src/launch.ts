import { type ChildProcess, spawn } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

// Runs code in the real runtimes, for the servers and examples tests and the bench (exported as
// @signet/runtime-tests/launch, so that the runtimes are pinned in one package.json). It starts web-standard servers: a Bun, Deno or Node process
// that prints `{"port":…}` once it listens on 127.0.0.1, or a Worker bundled as a user's bundler would and served
// by workerd (miniflare) on a 127.0.0.1 port. Every request the tests send is real HTTP on loopback.

const require = createRequire(import.meta.url);
export const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** A running server: its origin, and how to stop it. */
export interface Running {
  origin: string;
  close(): Promise<void>;
}

/** How each runtime runs a script: the binaries of the pinned runtime packages. */
export function runtimeCommand(runtime: 'node' | 'bun' | 'deno'): string[] {
  if (runtime === 'node') return [process.execPath];
  if (runtime === 'bun') return [require.resolve('bun/bin/bun.exe')];
  // deno's bin.cjs runs the binary as a child of a Node wrapper (which a kill would leave running): its own install
  // API names the binary itself.
  const installer = require('deno/install_api.cjs') as { runInstall(): string };
  return [installer.runInstall(), 'run', '--allow-net', '--allow-env', '--allow-read'];
}

/** The environment of every runtime process: no update checks, no colours. */
export const quietEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', ...env });

/**
 * Runs `script` under `runtime` with `env` in `cwd` and waits (at most `timeoutMs`, a hang guard) for the
 * `{"port":…}` line it prints when it listens on 127.0.0.1.
 */
export async function startProcess(runtime: 'node' | 'bun' | 'deno', script: string, env: Record<string, string>, cwd = packageDir, timeoutMs = 60_000): Promise<Running> {
  const [command = runtime, ...args] = runtimeCommand(runtime);
  const child = spawn(command, [...args, script], { cwd, env: quietEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${runtime} ${script} did not listen within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${runtime} ${script} exited (${code}) before listening: ${stderr}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  return { origin: `http://127.0.0.1:${port}`, close: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}

/** How a Worker is bundled: for a Worker with nodejs_compat, or without it. */
export interface BundleOptions {
  /**
   * Whether the Worker runs with nodejs_compat. With it, Node's built-ins are the runtime's (external; the published
   * packages import them without the node: prefix). Without it, nothing is external: the bundle fails to build if
   * anything in it still imports a built-in.
   * @default true
   */
  nodeCompat?: boolean;
}

/** Bundles a Worker module as a user's bundler would (esbuild, the workerd/worker/browser conditions). */
export async function bundleWorker(entry: string, absWorkingDir = packageDir, { nodeCompat = true }: BundleOptions = {}): Promise<string> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: nodeCompat ? [...builtinModules, ...builtinModules.map((name) => `node:${name}`)] : [],
    absWorkingDir,
    logLevel: 'silent',
  });
  return bundle.outputFiles[0]!.text;
}

/** A Worker module (bundled from `entry`, resolving packages from `absWorkingDir`) in workerd, with string `bindings`. */
export async function createWorker(
  entry: string,
  bindings: Record<string, string>,
  absWorkingDir = packageDir,
  http: { host: string; port: number } | object = {},
  { nodeCompat = true }: BundleOptions = {},
): Promise<Miniflare> {
  return new Miniflare({
    modules: true,
    script: await bundleWorker(entry, absWorkingDir, { nodeCompat }),
    compatibilityDate: '2026-04-01',
    compatibilityFlags: nodeCompat ? ['nodejs_compat'] : [],
    bindings,
    ...http,
  });
}

/** Serves a Worker module (bundled from `entry`) in workerd on a free 127.0.0.1 port, with string `bindings`. */
export async function startWorker(entry: string, bindings: Record<string, string>, absWorkingDir = packageDir, options: BundleOptions = {}): Promise<Running & { mf: Miniflare }> {
  const mf = await createWorker(entry, bindings, absWorkingDir, { host: '127.0.0.1', port: 0 }, options);
  const url = await mf.ready;
  return { origin: url.origin, mf, close: () => mf.dispose() };
}
