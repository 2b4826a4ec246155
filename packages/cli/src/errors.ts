import { SignetError } from '@signet/core';

/**
 * Why the command line itself refused to run:
 * - `ERR_USAGE`: an unknown or missing option or argument, a credential that was not given, options that conflict.
 * - `ERR_INPUT`: a file or stdin that cannot be read or is too large, JSON that does not parse, a malformed captured
 *   request.
 */
export type CliErrorCode = 'ERR_USAGE' | 'ERR_INPUT';

/** A usage or input error: reported as one line on stderr, exit code 2. Its message never holds a secret. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A verification that ran and failed: exit code 1, not 2. */
export class VerificationFailed extends Error {
  override readonly name = 'VerificationFailed';
  readonly error: SignetError;

  constructor(error: SignetError) {
    super(error.message);
    this.error = error;
  }
}

/** Exit codes: 0 success (a valid token), 1 a failed verification, 2 bad usage or bad input. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

// The libraries' messages name their options; on the command line the same setting is a flag. Option names are
// replaced only where a message names one (at its start, or as a whole camelCase word), never inside other words.
const FLAG_WORDING: ReadonlyArray<readonly [RegExp, string]> = [
  [/\ballowShortSecret: true\b/g, '--allow-short-secret'],
  [/\bprivateKey\b/g, 'the private key (--key-file)'],
  [/\bpublicKey\b/g, 'the public key (--public-key-file)'],
  [/\b(secretKey|secretWord)\b/g, 'the secret (--secret-file)'],
  [/^key (?=is |must )/, 'the secret (--secret-file) '],
  [/\bpass its passphrase\b/g, 'give --passphrase-file'],
  [/^passphrase\b/, '--passphrase-file'],
  [/\bapiKeyHeader\b/g, '--api-key-header'],
  [/\bapiKey\b/g, '--api-key'],
  [/\bclientKey\b/g, '--client-key'],
  [/\bmerchantCode\b/g, '--merchant-code'],
  [/\bkeyId\b/g, '--kid'],
  [/^issuers?\b/, '--issuer'],
  [/^claims\b/, '--claims'],
  [/\bemptyBody\b/g, '--empty-body'],
  [/\bexpiresInSeconds\b/g, '--expires-in'],
  [/\bclockToleranceSeconds\b/g, '--clock-tolerance'],
  [/\bmaxLifetimeSeconds\b/g, '--max-lifetime'],
];

/** `signet: <message> (<code>)`, always one line. */
export function errorLine(message: string, code: string): string {
  let text = message
    .replace(/\s*\r?\n\s*/g, ' ')
    .trim()
    .replace(/\.$/, '');
  for (const [pattern, flag] of FLAG_WORDING) text = text.replace(pattern, flag);
  return `signet: ${text} (${code})\n`;
}

/** A `SignetError`, also one from another copy of `@signet/core` (a second install would fail `instanceof`). */
export function isSignetError(error: unknown): error is SignetError {
  if (error instanceof SignetError) return true;
  const candidate = error as { name?: unknown; code?: unknown } | null;
  return error instanceof Error && candidate?.name === 'SignetError' && typeof candidate.code === 'string';
}
