import { Buffer } from 'node:buffer';
import { open } from 'node:fs/promises';
import { CliError } from './errors.js';

/** What a command touches of the process; `main` gets the real one, nothing else reads `process` directly. */
export interface Io {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: AsyncIterable<Uint8Array | string> & { readonly isTTY?: boolean };
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/** The largest key, secret or passphrase file read: far above any PEM key, far below anything that is not one. */
export const MAX_SECRET_BYTES = 64 * 1024;
/** The largest request body, captured request or token read. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Reads a file, a pipe (`/dev/fd/…`, process substitution) or stdin (`-`) to its end, refusing more than `limit`
 * bytes. `what` names the source in errors: for a secret it is the option, never the path (a path typed where a
 * secret was meant would otherwise be echoed).
 */
export async function readBounded(io: Io, path: string, limit: number, what: string): Promise<Buffer> {
  if (path === '-') return readStdin(io, limit, what);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new CliError('ERR_INPUT', `cannot read ${what}: ${reasonOf(error)}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, limit + 1 - total));
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, chunk.length, null));
      } catch (error) {
        throw new CliError('ERR_INPUT', `cannot read ${what}: ${reasonOf(error)}`);
      }
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) throw tooLarge(what, limit);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

const claimed = new WeakMap<Io, string>();

/** Reads all of stdin, once per run: two inputs cannot both come from it. */
export async function readStdin(io: Io, limit: number, what: string): Promise<Buffer> {
  const owner = claimed.get(io);
  if (owner !== undefined) throw new CliError('ERR_USAGE', `${what} and ${owner} cannot both be read from stdin`);
  claimed.set(io, what);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of io.stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += bytes.length;
    if (total > limit) throw tooLarge(what, limit);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(what: string, limit: number): CliError {
  return new CliError('ERR_INPUT', `${what} is larger than ${limit >= 1024 * 1024 ? `${limit / (1024 * 1024)} MiB` : `${limit / 1024} KiB`}`);
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return typeof code === 'string' ? code : 'read failed';
  }
}
