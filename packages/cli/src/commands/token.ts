import { JWS_ALGORITHMS, type JwtClaims } from '@signet/core';
import { type Command, Option } from 'commander';
import { CliError } from '../errors.js';
import { registerSchemeTokens } from '../schemes/token.js';
import { type Io, MAX_BODY_BYTES, readBounded } from '../io.js';
import { CREDENTIALS, TOKEN, addPkcs11Options, addRequestOptions, emptyBodyOption, expiresInOption, jsonOption, keyFileOption, passphraseFileOption, secretFileOption } from '../options.js';
import { printToken } from '../output.js';
import { methodOf, outgoingUrl, readData } from '../request-input.js';
import {
  type JwtSchemeOptions,
  type PortOneSchemeOptions,
  type RequestSchemeOptions,
  type TwoCheckoutSchemeOptions,
  jwtSchemeSigner,
  portOneSchemeSigner,
  requestSchemeSigner,
  tokenOf,
  twoCheckoutSchemeSigner,
} from '../signers.js';

interface Json {
  json?: boolean;
}

export function registerToken(program: Command, io: Io): void {
  const token = program.command('token').description('mint a token for one of the schemes and print it').addHelpText('after', '\nThe token is printed bare, on one line; --json adds its decoded header and payload.');

  const request = addRequestOptions(
    token.command('request').description('mint a per-request RS256 token {uri, iat, exp, sub, bodyHash} bound to one request'),
    'the request URL or path + query; uri is its path + query as the WHATWG URL parser encodes it',
    true,
  )
    .addOption(emptyBodyOption())
    .addOption(expiresInOption('55'))
    .addOption(new Option('--nonce', 'add a random nonce claim (APIs such as Fireblocks require one)').helpGroup(TOKEN))
    .addOption(new Option('--api-key <key>', 'your API key, the sub claim (else SIGNET_API_KEY)').helpGroup(CREDENTIALS))
    .addOption(keyFileOption())
    .addOption(passphraseFileOption());
  addPkcs11Options(request)
    .addOption(jsonOption('the token, its header and payload'))
    .addHelpText(
      'after',
      `
Examples:
  $ export SIGNET_API_KEY=my-api-key SIGNET_PRIVATE_KEY_FILE=./private.pem
  $ signet token request --url '/v1/payments?idempotent=1' --data @payment.json
  $ signet token request --url https://api.example.com/v1/accounts --json
  $ SIGNET_PKCS11_PIN_FILE=./hsm.pin signet token request --url /v1/accounts \\
      --pkcs11-library /usr/lib/softhsm/libsofthsm2.so --pkcs11-token payments --pkcs11-key api-signing`,
    )
    .action(async (options: RequestSchemeOptions & Json & { url: string; method?: string; data?: string }) => {
      const { uri } = outgoingUrl(options.url);
      const body = await readData(io, options.data);
      const method = methodOf(options.method, body.bytes !== undefined);
      const signer = await requestSchemeSigner(io, options);
      printToken(io, tokenOf(await signer.sign({ method, url: uri, body: body.bytes })), options.json);
    });

  token
    .command('portone')
    .description('mint a PortOne HS256 token {iss: "PORTONE", sub: client key, iat, exp: iat + 100}')
    .addOption(new Option('--client-key <key>', 'your PortOne client key, the sub claim (else SIGNET_CLIENT_KEY)').helpGroup(CREDENTIALS))
    .addOption(secretFileOption())
    .addOption(new Option('--issuer <iss>', 'the iss claim; older accounts use CHAIPAY').default('PORTONE').helpGroup(TOKEN))
    .addOption(expiresInOption('100'))
    .addOption(jsonOption('the token, its header and payload'))
    .addHelpText(
      'after',
      `
Examples:
  $ SIGNET_SECRET_FILE=./portone.secret signet token portone --client-key SglffyyZgojEdXWL`,
    )
    .action(async (options: PortOneSchemeOptions & Json) => {
      const signer = await portOneSchemeSigner(io, options);
      printToken(io, tokenOf(await signer.sign({ method: 'GET', url: '/' })), options.json);
    });

  token
    .command('2checkout')
    .description('mint a 2Checkout HS512 merchant token {sub: merchant code, iat, exp: iat + 1800}')
    .addOption(new Option('--merchant-code <code>', 'your merchant code, the sub claim (else SIGNET_MERCHANT_CODE)').helpGroup(CREDENTIALS))
    .addOption(secretFileOption())
    .addOption(expiresInOption('1800'))
    .addOption(new Option('--no-exp', 'leave exp out (2Checkout then applies 30 minutes)').helpGroup(TOKEN))
    .addOption(jsonOption('the token, its header and payload'))
    .addHelpText(
      'after',
      `
The secret is the Buy-link Secret Word.

Examples:
  $ signet token 2checkout --merchant-code MERCH_CODE --secret-file ./buy-link-secret`,
    )
    .action(async (options: TwoCheckoutSchemeOptions & Json) => {
      const signer = await twoCheckoutSchemeSigner(io, options);
      printToken(io, tokenOf(await signer.sign({ method: 'GET', url: '/' })), options.json);
    });

  const jwt = token
    .command('jwt')
    .description('mint a bearer JWT for your own APIs, with your claims')
    .addOption(new Option('--alg <alg>', 'the signing algorithm; HS* take a secret, the others a private key').choices(JWS_ALGORITHMS).makeOptionMandatory().helpGroup(TOKEN))
    .addOption(new Option('--claims <json>', 'the claims: a JSON object, @file holding one, or - for stdin').default('{}').helpGroup(TOKEN))
    .addOption(expiresInOption('300'))
    .addOption(new Option('--no-exp', 'leave exp out').helpGroup(TOKEN))
    .addOption(new Option('--no-iat', 'leave iat out').helpGroup(TOKEN))
    .addOption(new Option('--kid <id>', 'a kid in the protected header').helpGroup(TOKEN))
    .addOption(new Option('--allow-short-secret', 'accept an HMAC secret shorter than the hash (32/48/64 bytes), as some APIs issue').helpGroup(CREDENTIALS))
    .addOption(secretFileOption())
    .addOption(keyFileOption())
    .addOption(passphraseFileOption());
  addPkcs11Options(jwt)
    .addOption(jsonOption('the token, its header and payload'))
    .addHelpText(
      'after',
      `
Examples:
  $ SIGNET_SECRET_FILE=./jwt.secret signet token jwt --alg HS256 --claims '{"sub":"svc-billing","role":"admin"}'
  $ signet token jwt --alg ES256 --key-file ./ec.pem --claims @claims.json --expires-in 60 --kid 2026-01`,
    )
    .action(async (options: Omit<JwtSchemeOptions, 'claims'> & { claims: string } & Json) => {
      const claims = await readClaims(io, options.claims);
      const signer = await jwtSchemeSigner(io, { ...options, claims });
      const headers = await signer.sign({ method: 'GET', url: '/' });
      printToken(io, tokenOf(headers), options.json);
    });

  registerSchemeTokens(token, io);
}

async function readClaims(io: Io, claims: string): Promise<JwtClaims> {
  const text = claims === '-' || claims.startsWith('@') ? (await readBounded(io, claims === '-' ? '-' : claims.slice(1), MAX_BODY_BYTES, 'the claims (--claims)')).toString('utf8') : claims;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError('ERR_INPUT', '--claims is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('ERR_INPUT', '--claims must be a JSON object');
  return value as JwtClaims;
}
