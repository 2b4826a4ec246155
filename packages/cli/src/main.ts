import { Command, CommanderError } from 'commander';
import { registerDecode } from './commands/decode.js';
import { registerSign } from './commands/sign.js';
import { registerToken } from './commands/token.js';
import { registerVerify } from './commands/verify.js';
import { CliError, EXIT_INVALID, EXIT_OK, EXIT_USAGE, VerificationFailed, errorLine, isSignetError } from './errors.js';
import type { Io } from './io.js';
import { closeOpenedKeys } from './signing-keys.js';

declare const __SIGNET_VERSION__: string;

/** The whole command line, with its I/O passed in. */
export function createProgram(io: Io): Command {
  const program = new Command('signet')
    .description('Mint, decode and verify Signet tokens; sign requests for curl or any HTTP client.')
    .version(typeof __SIGNET_VERSION__ === 'string' ? __SIGNET_VERSION__ : '0.0.0-dev', '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // Errors are reported by `main`, in one line, with a code.
      outputError: () => {},
    })
    .exitOverride()
    .addHelpText(
      'after',
      `
Secrets and private keys come from files (--secret-file, --key-file) or from
environment variables (SIGNET_SECRET, SIGNET_SECRET_FILE, SIGNET_PRIVATE_KEY,
SIGNET_PRIVATE_KEY_FILE, ...), never from the command line, where ps shows them.
Every command takes --help and --json.

Exit codes: 0 success, 1 a token or request that failed verification,
2 bad usage or input.

Examples:
  $ signet token request --url /v1/payments --data @payment.json
  $ signet sign --url https://api.example.com/v1/payments --data @payment.json --curl
  $ signet decode "$TOKEN"
  $ signet verify --public-key-file pub.pem --request-file captured.http`,
    );
  registerToken(program, io);
  registerSign(program, io);
  registerDecode(program, io);
  registerVerify(program, io);
  return program;
}

/** Runs one command line (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    await createProgram(io).parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    return report(error, io);
  } finally {
    // A PKCS#11 key's sessions are logged out and its library finalized before the process ends.
    await closeOpenedKeys();
  }
}

function report(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0 and their output already written.
    if (error.exitCode === 0) return EXIT_OK;
    // `signet` or `signet token` alone: the help went to stderr.
    if (error.code === 'commander.help') return EXIT_USAGE;
    io.stderr(errorLine(commanderMessage(error), 'ERR_USAGE'));
    return EXIT_USAGE;
  }
  if (error instanceof VerificationFailed) {
    io.stderr(errorLine(error.error.message, error.error.code));
    return EXIT_INVALID;
  }
  if (error instanceof CliError || isSignetError(error)) {
    io.stderr(errorLine(error.message, error.code));
    return EXIT_USAGE;
  }
  io.stderr(errorLine(`unexpected ${error instanceof Error ? error.name : 'failure'}: ${error instanceof Error ? error.message : String(error)}`, 'ERR_INTERNAL'));
  return EXIT_INVALID;
}

// Flags people reach for, named after the libraries' options or other tools: the flag that does it here.
const FLAG_HINTS: Readonly<Record<string, string>> = {
  '--private-key': '--key-file',
  '--private-key-file': '--key-file',
  '--key': '--key-file',
  '--privatekey': '--key-file',
  '--secret': '--secret-file',
  '--secret-key': '--secret-file',
  '--secret-word': '--secret-file',
  '--passphrase': '--passphrase-file',
  '--pkcs11-pin': '--pkcs11-pin-file',
  '--pin': '--pkcs11-pin-file',
  '--password': '--passphrase-file',
  '--public-key': '--public-key-file',
  '--expires-in-seconds': '--expires-in',
  '--algorithm': '--alg',
  '--key-id': '--kid',
  '--api-key-file': '--api-key',
  '--clock-tolerance-seconds': '--clock-tolerance',
};

/**
 * Commander's message, without its "error: " prefix, on one line, and without the value of an unknown
 * `--option=value` (someone may have typed `--secret=…`).
 */
function commanderMessage(error: CommanderError): string {
  const message = error.message
    .replace(/^error: /, '')
    .replace(/'(-[^'=\s]*)=[^']*'/g, "'$1=…'")
    .replace(/\s*\n\s*\(Did you mean (.*)\?\)/, '; did you mean $1?');
  if (error.code !== 'commander.unknownOption') return message;
  const flag = /^unknown option '(--[^'=]+)/.exec(message)?.[1];
  const hint = flag === undefined ? undefined : FLAG_HINTS[flag.toLowerCase()];
  const secretFlag = /^unknown option '--(secret|private-key|key|passphrase|password|pin|pkcs11-pin)\b/.test(message);
  const why = secretFlag ? ' (secrets are read from files or environment variables, never from the command line)' : '';
  if (hint !== undefined) return `${message.replace(/; did you mean .*$/, '')}; did you mean ${hint}?${why}`;
  if (secretFlag && !message.includes('did you mean')) {
    return `${message}: secrets are read from files or environment variables, never from the command line (see --help)`;
  }
  return message;
}
