import { type Command, Option } from 'commander';
import { CREDENTIALS, TOKEN, positiveSeconds } from '../options.js';

/** The schemes merged after the first three: each has its own file here, and its flags below. */
export const NEW_SCHEMES = ['fireblocks', 'coinbase', 'dpop', 'http-signature', 'upbit', 'bithumb', 'truelayer'] as const;
export type NewScheme = (typeof NEW_SCHEMES)[number];

/** Options the new schemes read; the names match commander's attribute names. */
export interface SchemeFlags {
  keyName?: string;
  host?: string;
  uriClaim?: 'uri' | 'uris';
  alg?: string;
  accessTokenFile?: string;
  dpopNonce?: string;
  kid?: string;
  components?: string;
  label?: string;
  origin?: string;
  jkt?: string;
  maxAge?: number;
  accessKey?: string;
  queryHashForm?: 'raw' | 'encoded';
  tlHeaders?: string;
}

// Each flag is defined once here: commander refuses a flag added twice to one command.
export const keyName = (): Option => new Option('--key-name <name>', 'coinbase: the CDP API key name, sub and kid (else SIGNET_KEY_NAME)').helpGroup(CREDENTIALS);
export const host = (): Option => new Option('--host <host>', 'coinbase: the host bound in uri (default: the host of an absolute --url)').helpGroup(TOKEN);
export const accessTokenFile = (): Option =>
  new Option('--access-token-file <path>', 'dpop: file holding the DPoP-bound access token, sent as "Authorization: DPoP …" (else SIGNET_ACCESS_TOKEN_FILE or SIGNET_ACCESS_TOKEN)').helpGroup(CREDENTIALS);
export const uriClaim = (): Option => new Option('--uri-claim <form>', "coinbase: 'uri' (CDP's guide) or 'uris' (@coinbase/cdp-sdk)").choices(['uri', 'uris']).helpGroup(TOKEN);
export const dpopNonce = (): Option => new Option('--dpop-nonce <nonce>', "dpop: the server's DPoP-Nonce to put in the proof").helpGroup(TOKEN);
export const accessKey = (): Option => new Option('--access-key <key>', 'upbit, bithumb: your Access Key, the access_key claim (else SIGNET_ACCESS_KEY)').helpGroup(CREDENTIALS);
export const queryHashForm = (): Option =>
  new Option('--query-hash-form <form>', "bithumb: how query_hash writes the parameters: 'raw' (decoded, the default) or 'encoded' (as sent)").choices(['raw', 'encoded']).helpGroup(TOKEN);
const tlHeaders = (what: string): Option => new Option('--tl-headers <list>', `truelayer: ${what}, comma-separated (default: Idempotency-Key)`).helpGroup(TOKEN);
const components = (what: string): Option => new Option('--components <list>', `http-signature: ${what}, comma-separated (e.g. @method,@authority,@path,@query,content-digest)`).helpGroup(TOKEN);

/** `sign` and `token`: the new schemes' flags that `sign` does not have yet. */
export function addSchemeSignOptions(command: Command): Command {
  return command
    .addOption(keyName())
    .addOption(host())
    .addOption(uriClaim())
    .addOption(new Option('--alg <alg>', 'dpop: the proof algorithm (default: ES256); http-signature: the RFC 9421 algorithm (required); upbit, bithumb: HS256 (default) or HS512').helpGroup(TOKEN))
    .addOption(accessTokenFile())
    .addOption(dpopNonce())
    .addOption(new Option('--kid <id>', 'http-signature: the keyid parameter; truelayer: the Console key id (kid)').helpGroup(CREDENTIALS))
    .addOption(components('the covered components in order'))
    .addOption(new Option('--label <label>', 'http-signature: the signature label (default: sig1)').helpGroup(TOKEN))
    .addOption(accessKey())
    .addOption(queryHashForm())
    .addOption(tlHeaders('the headers to sign, in order, each sent with -H'));
}

/** `verify`: the new schemes' flags that `verify` does not have yet. */
export function addSchemeVerifyOptions(command: Command): Command {
  return command
    .addOption(new Option('--api-key <key>', 'fireblocks: the API key received in X-API-Key (else SIGNET_API_KEY)').helpGroup(CREDENTIALS))
    .addOption(host())
    .addOption(accessTokenFile())
    .addOption(new Option('--kid <id>', 'http-signature, truelayer: the only keyid / kid accepted (default: any, with the one key given)').helpGroup(CREDENTIALS))
    .addOption(components('components every signature must cover (default: @method,@authority,@path,@query)'))
    .addOption(new Option('--label <label>', 'http-signature: the label of the signature to verify (default: the first)').helpGroup(TOKEN))
    .addOption(new Option('--origin <origin>', 'dpop, http-signature: the origin clients address the server at, https://host[:port] (default: the origin of an absolute --url)').helpGroup(TOKEN))
    .addOption(new Option('--jkt <thumbprint>', "dpop: the key thumbprint the proof must have (the access token's cnf.jkt)").helpGroup(TOKEN))
    .addOption(new Option('--max-age <seconds>', 'dpop, http-signature, bithumb: how old iat / created / timestamp may be (default: 60 dpop and bithumb, 300 http-signature)').argParser(positiveSeconds).helpGroup(TOKEN))
    .addOption(accessKey())
    .addOption(queryHashForm())
    .addOption(tlHeaders('headers every signature must cover'));
}

/** A comma-separated list, trimmed, without empty entries. */
export function listOf(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
