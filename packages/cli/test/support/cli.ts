import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testKeys } from '@signet/test-support';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const workspaceRoot = join(packageDir, '..', '..');
/** The built command, as `npm install -g @signet/cli` would run it. */
export const CLI = join(packageDir, 'dist', 'cli.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables added to an environment without any SIGNET_* of the caller. */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed (it is always closed: nothing waits on a terminal). */
  input?: string | Uint8Array;
  cwd?: string;
}

/** Runs `node dist/cli.js …args` as a child process. */
export function signet(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('SIGNET_')) env[name] = value;
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [CLI, ...args], { env, cwd: options.cwd ?? packageDir, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : (error as { code?: unknown }).code;
      if (typeof code !== 'number') return reject(new Error('could not run the CLI', { cause: error }));
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

/**
 * Builds dist/cli.js when it is missing or older than a source. Test files run in parallel workers, so the build
 * is serialized with a lock directory; whoever waited finds it fresh and skips.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(tmpdir(), `signet-cli-build-${createHash('sha256').update(packageDir).digest('hex').slice(0, 16)}.lock`);
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A build takes a second; a lock this old was left by a killed run.
      if (waited > 30_000) {
        rmSync(lock, { recursive: true, force: true });
        waited = 0;
      }
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  try {
    if (isStale()) await promisify(execFile)(join(workspaceRoot, 'node_modules', '.bin', 'tsup'), [], { cwd: packageDir });
  } finally {
    rmdirSync(lock);
  }
}

function isStale(): boolean {
  let built: number;
  try {
    built = statSync(CLI).mtimeMs;
  } catch {
    return true;
  }
  const sources = [join(packageDir, 'package.json'), join(packageDir, 'tsup.config.ts'), ...filesUnder(join(packageDir, 'src'))];
  return sources.some((file) => statSync(file).mtimeMs > built);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** Keys and secrets made for this run, in files of a fresh temporary directory. */
export interface Fixture {
  dir: string;
  /** RSA-2048 private key (PKCS#8 PEM) and its public key, and the files holding them. */
  privatePem: string;
  publicPem: string;
  privateKeyFile: string;
  publicKeyFile: string;
  /** An HMAC secret (64 hex characters) and the file holding it, with a trailing newline as `echo` writes. */
  secret: string;
  secretFile: string;
  /** P-256 key pair for ES256. */
  ecPrivateKeyFile: string;
  ecPublicPem: string;
  path: (name: string) => string;
  write: (name: string, content: string | Uint8Array) => string;
  cleanup: () => void;
}

export function makeFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cli-'));
  const path = (name: string): string => join(dir, name);
  const write = (name: string, content: string | Uint8Array): string => {
    writeFileSync(path(name), content, { mode: 0o600 });
    return path(name);
  };
  const rsa = testKeys().rsa;
  const ec = testKeys().p256;
  const privatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const secret = randomBytes(32).toString('hex');
  return {
    dir,
    privatePem,
    publicPem,
    privateKeyFile: write('private.pem', privatePem),
    publicKeyFile: write('public.pem', publicPem),
    secret,
    secretFile: write('secret.txt', `${secret}\n`),
    ecPrivateKeyFile: write('ec.pem', ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    ecPublicPem: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    path,
    write,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Whole seconds now, for checking `iat` against the time around a run. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
