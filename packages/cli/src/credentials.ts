import { Buffer } from 'node:buffer';
import { CliError } from './errors.js';
import { type Io, MAX_SECRET_BYTES, readBounded } from './io.js';

/** One kind of credential and the three places it may come from. Never from a command-line value. */
interface CredentialKind {
  /** What it is, for messages: "the HMAC secret". */
  what: string;
  /** The option naming a file that holds it. */
  fileOption: string;
  /** The environment variable holding it. */
  envValue: string;
  /** The environment variable naming a file that holds it. */
  envFile: string;
  /** Remove one trailing newline (as `echo` and editors write) from file contents. */
  trimNewline: boolean;
}

export const SECRET: CredentialKind = {
  what: 'the HMAC secret',
  fileOption: '--secret-file',
  envValue: 'SIGNET_SECRET',
  envFile: 'SIGNET_SECRET_FILE',
  trimNewline: true,
};

export const PRIVATE_KEY: CredentialKind = {
  what: 'the private key',
  fileOption: '--key-file',
  envValue: 'SIGNET_PRIVATE_KEY',
  envFile: 'SIGNET_PRIVATE_KEY_FILE',
  trimNewline: false,
};

export const PASSPHRASE: CredentialKind = {
  what: 'the key passphrase',
  fileOption: '--passphrase-file',
  envValue: 'SIGNET_PASSPHRASE',
  envFile: 'SIGNET_PASSPHRASE_FILE',
  trimNewline: true,
};

/** The user PIN of a PKCS#11 token: like any secret, from a file or the environment, never from a flag value. */
export const PKCS11_PIN: CredentialKind = {
  what: "the token's user PIN",
  fileOption: '--pkcs11-pin-file',
  envValue: 'SIGNET_PKCS11_PIN',
  envFile: 'SIGNET_PKCS11_PIN_FILE',
  trimNewline: true,
};

export const PUBLIC_KEY: CredentialKind = {
  what: 'the public key',
  fileOption: '--public-key-file',
  envValue: 'SIGNET_PUBLIC_KEY',
  envFile: 'SIGNET_PUBLIC_KEY_FILE',
  trimNewline: false,
};

/**
 * Finds a credential: the file option if given, else one of the two environment variables (both set is refused
 * as ambiguous). `undefined` when none is set. Messages name the option or variable, never a path or a value.
 */
export async function findCredential(io: Io, kind: CredentialKind, file: string | undefined): Promise<Buffer | undefined> {
  if (file !== undefined) return readCredentialFile(io, file, kind, kind.fileOption);
  const value = nonEmpty(io.env[kind.envValue]);
  const envFile = nonEmpty(io.env[kind.envFile]);
  if (value !== undefined && envFile !== undefined) {
    throw new CliError('ERR_USAGE', `both ${kind.envValue} and ${kind.envFile} are set; set only one`);
  }
  if (envFile !== undefined) return readCredentialFile(io, envFile, kind, kind.envFile);
  if (value !== undefined) return Buffer.from(unescapeNewlines(value), 'utf8');
  return undefined;
}

/** {@link findCredential}, refusing to go on without it. */
export async function requireCredential(io: Io, kind: CredentialKind, file: string | undefined, purpose: string): Promise<Buffer> {
  const found = await findCredential(io, kind, file);
  if (found === undefined) {
    throw new CliError('ERR_USAGE', `${purpose} needs ${kind.what}: give ${kind.fileOption} <path>, or set ${kind.envFile} or ${kind.envValue}`);
  }
  return found;
}

/** An identifier (API key, client key, merchant code): not secret, so the option is fine; else its variable. */
export function identifier(io: Io, value: string | undefined, option: string, envName: string, purpose: string): string {
  const found = value ?? nonEmpty(io.env[envName]);
  if (found === undefined) throw new CliError('ERR_USAGE', `${purpose} needs ${option} <value> (or ${envName})`);
  return found;
}

async function readCredentialFile(io: Io, path: string, kind: CredentialKind, source: string): Promise<Buffer> {
  const bytes = await readBounded(io, path, MAX_SECRET_BYTES, `${kind.what} (${source})`);
  const content = kind.trimNewline ? trimOneNewline(bytes) : bytes;
  if (content.length === 0) throw new CliError('ERR_INPUT', `${kind.what} (${source}) is empty`);
  return content;
}

function trimOneNewline(bytes: Buffer): Buffer {
  if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0a) {
    return bytes.subarray(0, bytes.length - (bytes.length > 1 && bytes[bytes.length - 2] === 0x0d ? 2 : 1));
  }
  return bytes;
}

// A PEM key squeezed into one line of a .env file carries its line breaks as the two characters "\n".
function unescapeNewlines(value: string): string {
  return !value.includes('\n') && value.includes('-----BEGIN') ? value.replaceAll('\\n', '\n') : value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
