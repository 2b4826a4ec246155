import type { JwsAlgorithm } from '@signet/core';
import { type Explanation, type RejectHook, type VerifiableRequest, type Verifier, portOneVerifier, requestVerifier, twoCheckoutVerifier } from '@signet/verify';
import { type Command, Option } from 'commander';
import { PUBLIC_KEY, SECRET, identifier, requireCredential } from '../credentials.js';
import { CliError, VerificationFailed, isSignetError } from '../errors.js';
import { parseHttpRequest } from '../http-message.js';
import { type Io, MAX_BODY_BYTES, readBounded, readStdin } from '../io.js';
import { CREDENTIALS, OUTPUT, REQUEST, TOKEN, addRequestOptions, collect, emptyBodyOption, positiveSeconds, refuseForeignOptions, seconds } from '../options.js';
import { json } from '../output.js';
import { methodOf, readData, receivedUri } from '../request-input.js';
import { parseTime } from '../time.js';
import { type NewScheme, type SchemeFlags, addSchemeVerifyOptions } from '../schemes/flags.js';
import { newSchemeHeaders, newSchemeVerifier } from '../schemes/verifiers.js';

type Scheme = 'request' | 'portone' | '2checkout' | NewScheme;

interface VerifyOptions extends SchemeFlags {
  scheme: Scheme;
  token?: string;
  requestFile?: string;
  url?: string;
  method?: string;
  data?: string;
  publicKeyFile?: string;
  alg?: string;
  emptyBody?: string;
  clientKey?: string;
  issuer?: string[];
  merchantCode?: string;
  secretFile?: string;
  maxLifetime?: number;
  clockTolerance: number;
  at?: string;
  json?: boolean;
  explain?: boolean;
}

const COMMON = ['scheme', 'token', 'requestFile', 'url', 'method', 'data', 'maxLifetime', 'clockTolerance', 'at', 'json', 'explain'];
const ALLOWED: Record<Scheme, readonly string[]> = {
  request: [...COMMON, 'publicKeyFile', 'alg', 'emptyBody'],
  portone: [...COMMON, 'clientKey', 'issuer', 'secretFile'],
  '2checkout': [...COMMON, 'merchantCode', 'secretFile'],
  fireblocks: [...COMMON, 'publicKeyFile', 'apiKey'],
  coinbase: [...COMMON, 'publicKeyFile', 'host'],
  dpop: [...COMMON.filter((name) => name !== 'maxLifetime'), 'origin', 'alg', 'jkt', 'maxAge', 'accessTokenFile'],
  'http-signature': [...COMMON.filter((name) => name !== 'maxLifetime'), 'publicKeyFile', 'secretFile', 'alg', 'kid', 'components', 'label', 'origin', 'maxAge'],
  upbit: [...COMMON.filter((name) => name !== 'maxLifetime'), 'accessKey', 'secretFile', 'alg'],
  bithumb: [...COMMON.filter((name) => name !== 'maxLifetime'), 'accessKey', 'secretFile', 'alg', 'queryHashForm', 'maxAge'],
  truelayer: [...COMMON.filter((name) => name !== 'maxLifetime'), 'publicKeyFile', 'kid', 'tlHeaders'],
};
const TOKEN_BYTES = 64 * 1024;

export function registerVerify(program: Command, io: Io): void {
  const command = program
    .command('verify')
    .description('verify a token, or a captured HTTP request, the way @signet/verify does on the server')
    .addOption(new Option('--token <token>', 'the token (with or without "Bearer "), or - for stdin').helpGroup(REQUEST))
    .addOption(new Option('--request-file <path>', 'a captured raw HTTP request (request line, headers, empty line, body), or - for stdin').conflicts(['token', 'url', 'method', 'data']).helpGroup(REQUEST));
  addRequestOptions(command, 'with --token: the path + query the request was received on (taken verbatim), or its absolute URL', false)
    .addOption(new Option('--scheme <scheme>', 'the scheme to verify').choices(Object.keys(ALLOWED)).default('request').helpGroup(TOKEN))
    .addOption(
      new Option('--public-key-file <path>', 'request, fireblocks, coinbase, http-signature, truelayer: the public key, PEM or certificate (else SIGNET_PUBLIC_KEY_FILE, or the PEM in SIGNET_PUBLIC_KEY)').helpGroup(
        CREDENTIALS,
      ),
    )
    .addOption(new Option('--client-key <key>', 'portone: the accepted client key (else SIGNET_CLIENT_KEY)').helpGroup(CREDENTIALS))
    .addOption(new Option('--merchant-code <code>', '2checkout: the merchant code (else SIGNET_MERCHANT_CODE)').helpGroup(CREDENTIALS))
    .addOption(
      new Option('--secret-file <path>', 'portone, 2checkout, upbit, bithumb, http-signature (hmac-sha256): file holding the HMAC secret (else SIGNET_SECRET_FILE, or the secret in SIGNET_SECRET)').helpGroup(CREDENTIALS),
    )
    .addOption(new Option('--alg <list>', "request, dpop: accepted algorithms, comma-separated (default: RS256; dpop: every asymmetric one); http-signature: the key's RFC 9421 algorithm (required)").helpGroup(TOKEN))
    .addOption(emptyBodyOption())
    .addOption(new Option('--issuer <iss>', 'portone: an accepted iss (repeatable; default: PORTONE)').argParser(collect).helpGroup(TOKEN))
    .addOption(new Option('--max-lifetime <seconds>', 'the longest exp - iat accepted (default: 55 request and fireblocks, 100 portone, 1800 2checkout, 120 coinbase)').argParser(positiveSeconds).helpGroup(TOKEN))
    .addOption(new Option('--clock-tolerance <seconds>', 'how far clocks may be off (at most 600)').argParser(seconds).default(5).helpGroup(TOKEN))
    .addOption(new Option('--at <time>', 'verify as of this time (seconds since the epoch or ISO 8601), e.g. when a request was captured').helpGroup(TOKEN))
    .addOption(new Option('--json', 'print {valid, claims} or {valid, code, message} as JSON').helpGroup(OUTPUT))
    .addOption(
      new Option('--explain', "when invalid, say which check failed and what it compared (the token's uri next to the one received, body length and hash next to bodyHash, the clock difference)").helpGroup(OUTPUT),
    );
  addSchemeVerifyOptions(command)
    .addHelpText(
      'after',
      `
Exit codes: 0 valid, 1 invalid (the reason's code on stderr), 2 bad usage or input.

Examples:
  $ signet verify --public-key-file pub.pem --token "$TOKEN" --url '/v1/payments?idempotent=1' --data @payment.json
  $ signet verify --public-key-file pub.pem --request-file captured.http --at 2026-01-31T12:00:00Z --explain
  $ SIGNET_SECRET_FILE=./portone.secret signet verify --scheme portone --client-key K --token "$TOKEN"
  $ signet verify --scheme dpop --origin https://api.example.com --token "$PROOF" --url /v1/me
  $ SIGNET_SECRET_FILE=./bithumb.secret signet verify --scheme bithumb --access-key "$BITHUMB_ACCESS_KEY" --token "$TOKEN" --url '/v1/orders?market=KRW-BTC'
  $ signet verify --scheme truelayer --public-key-file ec512-public-key.pem --request-file captured.http
  $ signet verify --scheme http-signature --alg ed25519 --public-key-file ed.pub --origin https://api.example.com --request-file captured.http`,
    )
    .action(async (options: VerifyOptions) => {
      refuseForeignOptions(command, options.scheme, ALLOWED[options.scheme]);
      let explanation: Explanation | undefined;
      const verifier = await verifierFor(io, options, (rejection) => (explanation = rejection.explanation));
      const request = await requestOf(io, options);
      let claims;
      try {
        claims = await verifier.verify(request);
      } catch (error) {
        if (!isSignetError(error)) throw error;
        const explained = options.explain === true && explanation !== undefined ? { explanation } : {};
        io.stdout(
          options.json === true
            ? json({ valid: false, code: error.code, message: error.message, ...explained })
            : `invalid\n${explained.explanation === undefined ? '' : `${explained.explanation.hint}\n${json(explained.explanation)}`}`,
        );
        throw new VerificationFailed(error);
      }
      io.stdout(options.json === true ? json({ valid: true, claims }) : `valid\n${json(claims)}`);
    });
}

async function requestOf(io: Io, options: VerifyOptions): Promise<VerifiableRequest> {
  if (options.requestFile !== undefined) {
    const raw = await readBounded(io, options.requestFile, MAX_BODY_BYTES, 'the captured request (--request-file)');
    return parseHttpRequest(raw);
  }
  if (options.token === undefined) throw new CliError('ERR_USAGE', 'give --token <token> (with --url and --data as received), or --request-file <path>');
  const token = (options.token === '-' ? (await readStdin(io, TOKEN_BYTES, 'the token (--token -)')).toString('utf8') : options.token).trim().replace(/^bearer\s+/i, '');
  if (token === '') throw new CliError('ERR_INPUT', 'the token is empty');
  if ((options.scheme === 'request' || options.scheme === 'fireblocks') && options.url === undefined) {
    throw new CliError('ERR_USAGE', `the ${options.scheme} scheme binds the token to a request: give --url (and --data if it had a body)`);
  }
  const data = await readData(io, options.data);
  const method = methodOf(options.method, data.bytes !== undefined);
  const url = options.url === undefined ? '/' : receivedUri(options.url);
  const body = data.bytes ?? new Uint8Array(0);
  switch (options.scheme) {
    case 'request':
      return { method, url, body, headers: { authorization: `Bearer ${token}` } };
    case 'portone':
      return { method, url, body, headers: { authorization: `Bearer ${token}`, 'x-portone-client-key': clientKeyOf(io, options) } };
    case '2checkout':
      return { method, url, body, headers: { 'merchant-token': token } };
    default:
      return { method, url, body, headers: await newSchemeHeaders(io, options.scheme, options, token) };
  }
}

async function verifierFor(io: Io, options: VerifyOptions, onReject: RejectHook): Promise<Verifier> {
  const clock = options.at === undefined ? io.now : constant(parseTime(options.at, '--at'));
  const common = {
    clock,
    onReject,
    clockToleranceSeconds: options.clockTolerance,
    ...(options.maxLifetime === undefined ? {} : { maxLifetimeSeconds: options.maxLifetime }),
  };
  switch (options.scheme) {
    case 'request': {
      const publicKey = await requireCredential(io, PUBLIC_KEY, options.publicKeyFile, 'verifying the request scheme');
      return requestVerifier({
        ...common,
        publicKey,
        ...(options.alg === undefined ? {} : { algorithms: options.alg.split(',').map((alg) => alg.trim()) as JwsAlgorithm[] }),
        ...(options.emptyBody === undefined ? {} : { emptyBody: options.emptyBody }),
      });
    }
    case 'portone': {
      const clientKey = clientKeyOf(io, options);
      const secretKey = await requireCredential(io, SECRET, options.secretFile, 'verifying the portone scheme');
      return portOneVerifier({ ...common, clientKey, secretKey, ...(options.issuer === undefined ? {} : { issuers: options.issuer }) });
    }
    case '2checkout': {
      const merchantCode = identifier(io, options.merchantCode, '--merchant-code', 'SIGNET_MERCHANT_CODE', 'verifying the 2checkout scheme');
      const secretWord = await requireCredential(io, SECRET, options.secretFile, 'verifying the 2checkout scheme');
      return twoCheckoutVerifier({ ...common, merchantCode, secretWord });
    }
    default:
      return newSchemeVerifier(io, options.scheme, options, common);
  }
}

function clientKeyOf(io: Io, options: VerifyOptions): string {
  return identifier(io, options.clientKey, '--client-key', 'SIGNET_CLIENT_KEY', 'verifying the portone scheme');
}

function constant(ms: number): () => number {
  return () => ms;
}
