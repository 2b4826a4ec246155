import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { SignetError } from '@signet/core';

export interface RedisServer {
  url: string;
  port: number;
  /** SIGTERM, and wait for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash or an OOM kill would: no goodbye to connected clients. */
  kill(): Promise<void>;
}

export interface RedisServerOptions {
  /** A port to listen on, e.g. a killed server's, to restart it. @default a free port */
  port?: number;
  /** `requirepass`; the URL then carries it, as a production URL would. */
  password?: string;
  /** Extra redis-server arguments, e.g. cluster settings. */
  args?: string[];
}

/**
 * The replay tests run against a real redis-server, never a mock. Tests never install system packages: .ci/run
 * installs Redis on a fresh machine; on yours, install it once.
 */
function ensureRedisTools(): void {
  for (const binary of ['redis-server', 'redis-cli']) {
    try {
      execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`${binary} is not installed. Run \`apt-get install redis-server\` (Debian/Ubuntu; it brings redis-cli too) to run the replay tests.`);
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function exitOf(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** Starts a throwaway redis-server on 127.0.0.1 (no persistence) and waits until it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  ensureRedisTools();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'signet-redis-'));
  const auth = options.password === undefined ? [] : ['--requirepass', options.password];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...auth, ...(options.args ?? [])];
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const url = options.password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = createClient({ url, socket: { reconnectStrategy: false } });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      await probe.quit();
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on 127.0.0.1:${port}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true });
  return {
    url,
    port,
    stop: async () => {
      await exitOf(child, 'SIGTERM');
      cleanUp();
    },
    kill: async () => {
      await exitOf(child, 'SIGKILL');
      cleanUp();
    },
  };
}

export interface RedisCluster {
  /** The masters, for `createCluster({ rootNodes })`. */
  rootNodes: { url: string }[];
  nodes: RedisServer[];
  stop(): Promise<void>;
}

/**
 * Starts a 3-master Redis Cluster on 127.0.0.1 (no replicas), as a fleet of API instances would share, and waits
 * until every node reports `cluster_state:ok`. Each node's cluster bus gets its own free port (`cluster-port`), so
 * port + 10000 need not be free.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i += 1) {
      const busPort = await freePort();
      nodes.push(
        await startRedisServer({
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort), '--cluster-node-timeout', '2000'],
        }),
      );
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await promisify(execFile)('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    const deadline = Date.now() + 20_000;
    for (const node of nodes) {
      const client = createClient({ url: node.url, socket: { reconnectStrategy: false } });
      client.on('error', () => undefined);
      await client.connect();
      try {
        while (!(await client.clusterInfo()).includes('cluster_state:ok')) {
          if (Date.now() > deadline) throw new Error('The Redis Cluster did not reach cluster_state:ok within 20 s.');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await client.quit();
      }
    }
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill()));
    throw error;
  }
  return {
    rootNodes: nodes.map((node) => ({ url: node.url })),
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}

/** What a claim ended with: its answer, its error code, a raw (non-Signet) error, or 'pending' after `guardMs`. */
export type ClaimOutcome = true | false | string;

/**
 * Settles `claim` into a comparable value. `guardMs` is a hang guard, not a timing assertion: it only has to be far
 * above the store's deadline so that a claim that never settles fails the test instead of hanging it.
 */
export async function outcomeOf(claim: Promise<boolean>, guardMs: number): Promise<ClaimOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<ClaimOutcome>((resolve) => {
    timer = setTimeout(() => resolve('pending'), guardMs);
  });
  const settled = claim.then(
    (fresh) => fresh,
    (error: unknown) => (error instanceof SignetError ? error.code : `raw error: ${String(error)}`),
  );
  try {
    return await Promise.race([settled, guard]);
  } finally {
    clearTimeout(timer);
  }
}
