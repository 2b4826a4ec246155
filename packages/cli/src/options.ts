import { type Command, InvalidArgumentError, Option } from 'commander';
import { CliError } from './errors.js';

/** Commander parser: a whole number of seconds greater than zero. */
export function positiveSeconds(value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('Expected a whole number of seconds above 0.');
  return Number(value);
}

/** Commander parser: a whole number of seconds, zero allowed. */
export function seconds(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('Expected a whole number of seconds.');
  return Number(value);
}

/** Commander parser for repeatable options: collects every value. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export const OUTPUT = 'Output:';
export const CREDENTIALS = 'Credentials (secrets only from files or the environment):';
export const REQUEST = 'Request:';
export const TOKEN = 'Token:';

export function jsonOption(what: string): Option {
  return new Option('--json', `print ${what} as JSON`).helpGroup(OUTPUT);
}

export function secretFileOption(): Option {
  return new Option('--secret-file <path>', 'file holding the HMAC secret ("-" for stdin; one trailing newline is ignored). Else SIGNET_SECRET_FILE, or the secret itself in SIGNET_SECRET').helpGroup(CREDENTIALS);
}

export function keyFileOption(): Option {
  return new Option('--key-file <path>', 'file holding the private key, PEM or DER ("-" for stdin). Else SIGNET_PRIVATE_KEY_FILE, or the PEM text in SIGNET_PRIVATE_KEY').helpGroup(CREDENTIALS);
}

export function passphraseFileOption(): Option {
  return new Option('--passphrase-file <path>', 'file holding the passphrase of an encrypted key. Else SIGNET_PASSPHRASE_FILE or SIGNET_PASSPHRASE').helpGroup(CREDENTIALS);
}

/** `--pkcs11-library`, `--pkcs11-token`, `--pkcs11-key`, `--pkcs11-pin-file`: a key that never leaves its HSM. */
export function addPkcs11Options(command: Command): Command {
  return command
    .addOption(new Option('--pkcs11-library <path>', "instead of --key-file, sign in a PKCS#11 token: the vendor's library (e.g. /usr/lib/softhsm/libsofthsm2.so)").helpGroup(CREDENTIALS))
    .addOption(new Option('--pkcs11-token <label>', 'the label of the token holding the key').helpGroup(CREDENTIALS))
    .addOption(new Option('--pkcs11-key <label>', 'the label (CKA_LABEL) of the private key on the token').helpGroup(CREDENTIALS))
    .addOption(new Option('--pkcs11-pin-file <path>', "file holding the token's user PIN (one trailing newline is ignored). Else SIGNET_PKCS11_PIN_FILE or SIGNET_PKCS11_PIN").helpGroup(CREDENTIALS));
}

export function expiresInOption(defaults: string): Option {
  return new Option('--expires-in <seconds>', `token lifetime: exp = iat + seconds (default: ${defaults})`).argParser(positiveSeconds).helpGroup(TOKEN);
}

/**
 * Options that belong to other schemes than the one chosen are refused rather than ignored: a `--key-file` given to
 * `--scheme portone` is a mistake worth hearing about.
 */
export function refuseForeignOptions(command: Command, scheme: string, allowed: readonly string[]): void {
  for (const option of command.options) {
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== 'cli' || allowed.includes(key)) continue;
    throw new CliError('ERR_USAGE', `${option.long ?? option.flags} does not apply to --scheme ${scheme}`);
  }
}

/** The options describing the request a token is bound to; `sign`, `token request` and `verify` share them. */
export function addRequestOptions(command: Command, urlHelp: string, mandatoryUrl: boolean): Command {
  const url = new Option('--url <url>', urlHelp).helpGroup(REQUEST);
  return command
    .addOption(mandatoryUrl ? url.makeOptionMandatory() : url)
    .addOption(new Option('-X, --method <method>', 'HTTP method (default: POST with --data, else GET)').helpGroup(REQUEST))
    .addOption(new Option('-d, --data <data>', 'body: @file for its exact bytes, - for stdin, else the text itself').helpGroup(REQUEST));
}

export function emptyBodyOption(): Option {
  return new Option('--empty-body <text>', 'what bodyHash covers when there is no body (use "" for APIs that hash empty input)').default('{}').helpGroup(TOKEN);
}
