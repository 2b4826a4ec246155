import { type Command, Option } from 'commander';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { CREDENTIALS, TOKEN, addRequestOptions, expiresInOption, jsonOption, keyFileOption, passphraseFileOption, secretFileOption } from '../options.js';
import { printToken } from '../output.js';
import { methodOf, outgoingUrl, readData } from '../request-input.js';
import { type NewScheme, accessKey, accessTokenFile, dpopNonce, host, keyName, queryHashForm, uriClaim } from './flags.js';
import { type NewSchemeFlags, newSchemeSigner } from './signers.js';

const URL_HELP = 'the request URL (absolute: coinbase and dpop bind the host) or path + query, as the WHATWG URL parser encodes it';

const HMAC_ALG = (): Option => new Option('--alg <alg>', 'HS256 (the default) or HS512').choices(['HS256', 'HS512']).helpGroup(TOKEN);

/** `signet token fireblocks|coinbase|dpop|upbit|bithumb`: each JWT scheme's token for one request. */
export function registerSchemeTokens(token: Command, io: Io): void {
  const fireblocks = addRequestOptions(token.command('fireblocks').description('mint a Fireblocks RS256 token {uri, nonce, iat, exp, sub: API key, bodyHash} bound to one request'), URL_HELP, true)
    .addOption(expiresInOption('29'))
    .addOption(new Option('--api-key <key>', 'your Fireblocks API key, the sub claim (else SIGNET_API_KEY)').helpGroup(CREDENTIALS))
    .addOption(keyFileOption())
    .addOption(passphraseFileOption());
  finish(fireblocks, io, 'fireblocks', `$ SIGNET_API_KEY=… signet token fireblocks --key-file fireblocks_secret.key --url '/v1/vault/accounts_paged?limit=10'`);

  const coinbase = addRequestOptions(token.command('coinbase').description("mint a Coinbase CDP token {sub, iss: 'cdp', nbf, exp, uri: '<METHOD> <host><path>'} (ES256 or EdDSA, from the key)"), URL_HELP, true)
    .addOption(expiresInOption('120'))
    .addOption(keyName())
    .addOption(host())
    .addOption(uriClaim())
    .addOption(keyFileOption());
  finish(coinbase, io, 'coinbase', `$ signet token coinbase --key-name "$CDP_KEY_NAME" --key-file cdp.pem --url https://api.coinbase.com/api/v3/brokerage/accounts`);

  const dpop = addRequestOptions(token.command('dpop').description('mint a DPoP proof (RFC 9449) {jti, htm, htu, iat, ath?, nonce?} for one request'), URL_HELP, true)
    .addOption(new Option('--alg <alg>', 'the proof algorithm (ES256, ES384, PS256, RS256, RS384, RS512, EdDSA)').default('ES256').helpGroup(TOKEN))
    .addOption(dpopNonce())
    .addOption(accessTokenFile())
    .addOption(keyFileOption())
    .addOption(passphraseFileOption());
  finish(dpop, io, 'dpop', `$ signet token dpop --key-file dpop-key.pem --url https://as.example.com/token -X POST`);

  const upbit = addRequestOptions(token.command('upbit').description("mint an Upbit token {access_key, nonce, query_hash?, query_hash_alg?} (HS256): binds the query or JSON body's parameters only"), URL_HELP, true)
    .addOption(accessKey())
    .addOption(HMAC_ALG())
    .addOption(secretFileOption());
  finish(upbit, io, 'upbit', `$ SIGNET_SECRET_FILE=./upbit.secret signet token upbit --access-key "$UPBIT_ACCESS_KEY" --url '/v1/orders/chance?market=KRW-BTC'`);

  const bithumb = addRequestOptions(
    token.command('bithumb').description('mint a Bithumb API 2.0 token {access_key, nonce, timestamp, query_hash?, query_hash_alg?} (HS256): binds the parameters and the time'),
    URL_HELP,
    true,
  )
    .addOption(accessKey())
    .addOption(HMAC_ALG())
    .addOption(queryHashForm())
    .addOption(secretFileOption());
  finish(
    bithumb,
    io,
    'bithumb',
    `$ SIGNET_SECRET_FILE=./bithumb.secret signet token bithumb --access-key "$BITHUMB_ACCESS_KEY" --url /v1/orders -X POST --data '{"market":"KRW-BTC","side":"bid","price":"5000","ord_type":"price"}'`,
  );
}

function finish(command: Command, io: Io, scheme: NewScheme, example: string): void {
  command
    .addOption(jsonOption('the token, its header and payload'))
    .addHelpText('after', `\nExample:\n  ${example}`)
    .action(async (options: NewSchemeFlags & { method?: string; data?: string; json?: boolean }) => {
      const { uri } = outgoingUrl(options.url);
      const body = await readData(io, options.data);
      const method = methodOf(options.method, body.bytes !== undefined);
      const { signer, origin } = await newSchemeSigner(io, scheme, options);
      const headers = await signer.sign({ method, url: uri, body: body.bytes, origin });
      const token = scheme === 'dpop' ? headers['DPoP'] : headers['Authorization']?.replace(/^Bearer /, '');
      if (token === undefined) throw new CliError('ERR_USAGE', 'the signer returned no token header');
      printToken(io, token, options.json);
    });
}
