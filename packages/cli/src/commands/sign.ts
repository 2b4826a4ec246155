import type { Signer } from '@signet/core';
import { type Command, Option } from 'commander';
import { curlCommand } from '../curl.js';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import {
  CREDENTIALS,
  OUTPUT,
  REQUEST,
  TOKEN,
  addPkcs11Options,
  addRequestOptions,
  collect,
  emptyBodyOption,
  expiresInOption,
  keyFileOption,
  passphraseFileOption,
  refuseForeignOptions,
  secretFileOption,
} from '../options.js';
import { json } from '../output.js';
import { methodOf, outgoingUrl, readData } from '../request-input.js';
import { type RequestSchemeOptions, portOneSchemeSigner, requestSchemeSigner, twoCheckoutSchemeSigner } from '../signers.js';
import { PKCS11_OPTION_NAMES } from '../signing-keys.js';
import { type NewScheme, type SchemeFlags, addSchemeSignOptions } from '../schemes/flags.js';
import { newSchemeSigner } from '../schemes/signers.js';

type Scheme = 'request' | 'portone' | '2checkout' | NewScheme;

interface SignOptions extends RequestSchemeOptions, SchemeFlags {
  scheme: Scheme;
  url: string;
  method?: string;
  data?: string;
  header?: string[];
  json?: boolean;
  curl?: boolean;
  clientKey?: string;
  issuer?: string;
  merchantCode?: string;
  secretFile?: string;
  exp?: boolean;
}

const COMMON = ['scheme', 'url', 'method', 'data', 'header', 'json', 'curl', 'expiresIn'];
const ALLOWED: Record<Scheme, readonly string[]> = {
  request: [...COMMON, 'apiKey', 'keyFile', 'passphraseFile', ...PKCS11_OPTION_NAMES, 'emptyBody', 'nonce', 'apiKeyHeader'],
  portone: [...COMMON, 'clientKey', 'issuer', 'secretFile'],
  '2checkout': [...COMMON, 'merchantCode', 'secretFile', 'exp'],
  fireblocks: [...COMMON, 'apiKey', 'keyFile', 'passphraseFile'],
  coinbase: [...COMMON, 'keyName', 'keyFile', 'host', 'uriClaim'],
  dpop: [...COMMON.filter((name) => name !== 'expiresIn'), 'keyFile', 'passphraseFile', 'alg', 'accessTokenFile', 'dpopNonce'],
  'http-signature': [...COMMON, 'alg', 'kid', 'keyFile', 'passphraseFile', 'secretFile', 'components', 'label', 'nonce'],
  upbit: [...COMMON.filter((name) => name !== 'expiresIn'), 'accessKey', 'secretFile', 'alg'],
  bithumb: [...COMMON.filter((name) => name !== 'expiresIn'), 'accessKey', 'secretFile', 'alg', 'queryHashForm'],
  truelayer: [...COMMON.filter((name) => name !== 'expiresIn'), 'kid', 'keyFile', 'tlHeaders'],
};

export function registerSign(program: Command, io: Io): void {
  const command = program.command('sign').description('sign one request: print the headers to send, as JSON, or as a ready curl command');
  addRequestOptions(command, 'the request URL (absolute for --curl) or path + query; what is signed is its path + query as the WHATWG URL parser encodes it', true)
    .addOption(new Option('-H, --header <header>', 'with --curl: an extra "Name: value" header for curl to send (repeatable); http-signature: a header to send and sign').argParser(collect).helpGroup(REQUEST))
    .addOption(new Option('--scheme <scheme>', 'the signing scheme').choices(Object.keys(ALLOWED)).default('request').helpGroup(TOKEN))
    .addOption(emptyBodyOption())
    .addOption(expiresInOption('55 request, 100 portone, 1800 2checkout, 29 fireblocks, 120 coinbase; http-signature: no expires'))
    .addOption(new Option('--nonce', 'request: add a random nonce claim; http-signature: a random nonce parameter').helpGroup(TOKEN))
    .addOption(new Option('--api-key-header <name>', 'request: also send the API key in this header (e.g. X-API-Key)').helpGroup(TOKEN))
    .addOption(new Option('--issuer <iss>', 'portone: the iss claim (default: PORTONE)').helpGroup(TOKEN))
    .addOption(new Option('--no-exp', '2checkout: leave exp out').helpGroup(TOKEN))
    .addOption(new Option('--api-key <key>', 'request, fireblocks: your API key, the sub claim (else SIGNET_API_KEY)').helpGroup(CREDENTIALS))
    .addOption(keyFileOption())
    .addOption(passphraseFileOption());
  addPkcs11Options(command)
    .addOption(new Option('--client-key <key>', 'portone: your client key (else SIGNET_CLIENT_KEY)').helpGroup(CREDENTIALS))
    .addOption(new Option('--merchant-code <code>', '2checkout: your merchant code (else SIGNET_MERCHANT_CODE)').helpGroup(CREDENTIALS))
    .addOption(secretFileOption())
    .addOption(new Option('--json', 'print {method, url, uri, headers} as JSON').conflicts('curl').helpGroup(OUTPUT))
    .addOption(new Option('--curl', 'print a curl command that sends exactly the signed request').helpGroup(OUTPUT));
  addSchemeSignOptions(command)
    .addHelpText(
      'after',
      `
Without --json or --curl, the headers are printed one per line as "Name: value".

Examples:
  $ export SIGNET_API_KEY=my-api-key SIGNET_PRIVATE_KEY_FILE=./private.pem
  $ signet sign --url 'https://api.example.com/v1/payments?idempotent=1' --data @payment.json
  $ signet sign --url https://api.example.com/v1/payments --data @payment.json -H 'Content-Type: application/json' --curl | sh
  $ signet sign --scheme portone --client-key K --secret-file ./portone.secret --url https://api.portone.cloud/api/status --json
  $ signet sign --scheme dpop --key-file dpop.pem --access-token-file at.txt --url https://api.example.com/v1/me --curl
  $ SIGNET_SECRET_FILE=./upbit.secret signet sign --scheme upbit --access-key "$UPBIT_ACCESS_KEY" --url 'https://api.upbit.com/v1/orders/chance?market=KRW-BTC' --curl
  $ signet sign --scheme truelayer --kid "$TL_KID" --key-file ec512-private-key.pem --url https://api.truelayer-sandbox.com/v3/payments --data @payment.json -H "Idempotency-Key: $(uuidgen)" --curl
  $ signet sign --scheme http-signature --alg ed25519 --kid client-1 --key-file ed.pem --url https://api.example.com/v1/x --data @x.json -H 'Content-Type: application/json'`,
    )
    .action(async (options: SignOptions) => {
      refuseForeignOptions(command, options.scheme, ALLOWED[options.scheme]);
      // RFC 9421 and TrueLayer sign header fields too: there -H names a header to send and to cover.
      const coversHeaders = options.scheme === 'http-signature' || options.scheme === 'truelayer';
      if (options.header !== undefined && options.curl !== true && !coversHeaders) throw new CliError('ERR_USAGE', '--header is only used with --curl (and with --scheme http-signature or truelayer)');
      const target = outgoingUrl(options.url);
      if (options.curl === true && target.absolute === undefined) throw new CliError('ERR_USAGE', '--curl needs an absolute --url (https://host/path)');
      const extra = (options.header ?? []).map(parseHeader);
      const body = await readData(io, options.data);
      const method = methodOf(options.method, body.bytes !== undefined);
      const { signer, origin } = await signerFor(io, options);
      const signed = await signer.sign({ method, url: target.uri, body: body.bytes, origin, headers: Object.fromEntries(extra) });
      const headers: Record<string, string> = coversHeaders && options.curl !== true ? { ...Object.fromEntries(extra), ...signed } : signed;
      if (options.curl === true) {
        io.stdout(curlCommand(method, target.absolute as string, [...Object.entries(headers), ...extra], body));
      } else if (options.json === true) {
        io.stdout(json({ method, url: target.absolute ?? target.uri, uri: target.uri, headers }));
      } else {
        io.stdout(
          Object.entries(headers)
            .map(([name, value]) => `${name}: ${value}\n`)
            .join(''),
        );
      }
    });
}

async function signerFor(io: Io, options: SignOptions): Promise<{ signer: Signer; origin: string | undefined }> {
  switch (options.scheme) {
    case 'request':
      return { signer: await requestSchemeSigner(io, options), origin: undefined };
    case 'portone':
      return { signer: await portOneSchemeSigner(io, options), origin: undefined };
    case '2checkout':
      return { signer: await twoCheckoutSchemeSigner(io, options), origin: undefined };
    default:
      return newSchemeSigner(io, options.scheme, options);
  }
}

function parseHeader(header: string): [string, string] {
  const colon = header.indexOf(':');
  const name = header.slice(0, colon);
  const value = header.slice(colon + 1).trim();
  if (colon <= 0 || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || /[\0-\x08\x0a-\x1f\x7f]/.test(value)) {
    throw new CliError('ERR_USAGE', '--header must be "Name: value" (a token name, no line breaks)');
  }
  if (/^(authorization|merchant-token|x-portone-client-key|x-api-key|dpop|signature|signature-input|content-digest|tl-signature)$/i.test(name)) {
    throw new CliError('ERR_USAGE', `--header ${name} would replace a header the signature sets`);
  }
  return [name, value];
}
