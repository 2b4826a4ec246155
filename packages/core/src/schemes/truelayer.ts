import { SignetError } from '../errors.js';
import { jwsMinter } from '../jws-minter.js';
import { type PrivateKeyInput, loadPrivateSigningKey } from '../keys.js';
import { optionNames, ownValue, readOptions } from '../options.js';
import { type Bytes, concat, utf8 } from '../platform/bytes.js';
import type { SignableRequest, Signer } from '../types.js';
import { assertHeaderName, assertHeaderSafeString } from '../validate.js';

/** Options of {@link trueLayerSigner}. */
export interface TrueLayerSignerOptions {
  /** The key's id in TrueLayer Console (a UUID): the `kid` of every signature. */
  keyId: string;
  /** The ECDSA P-521 private key whose public half was uploaded to Console: PEM (SEC1 or PKCS#8), DER, `KeyObject`, `CryptoKey` or private JWK. */
  privateKey: PrivateKeyInput;
  /**
   * The request headers each signature covers, in this order and with this casing (they go into `tl_headers` as
   * written). Every request must carry each of them. TrueLayer requires `Idempotency-Key` on the requests it checks.
   * @default ['Idempotency-Key']
   */
  headers?: readonly string[];
}

const OPTIONS = optionNames<TrueLayerSignerOptions>({ keyId: true, privateKey: true, headers: true });
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const LINE_BREAK = /[\r\n]/;

/**
 * TrueLayer's request signing (v2): `Tl-Signature`, a JWS with detached payload, ES512 over P-521, protected header
 * `{ alg: 'ES512', kid, tl_version: '2', tl_headers: 'Idempotency-Key,…' }`. The payload is
 * `<METHOD> <path>\n`, then `<Name>: <value>\n` for each covered header, then the body bytes as sent. The path is
 * the request target exactly as sent, query included (TrueLayer's specification says "absolute path" and its
 * signed endpoints take no query; binding it leaves nothing unsigned), trailing slash as sent.
 *
 * @example
 * ```ts
 * const signer = trueLayerSigner({ keyId: process.env.TL_KEY_ID!, privateKey: readFileSync('ec512-private-key.pem') });
 * const api = createSignedAxios(signer, { baseURL: 'https://api.truelayer-sandbox.com' });
 * await api.post('/v3/payments', payment, { headers: { 'Idempotency-Key': randomUUID() } });
 * ```
 */
export function trueLayerSigner(options: TrueLayerSignerOptions): Signer {
  const own = readOptions<TrueLayerSignerOptions>(options, 'trueLayerSigner', OPTIONS, 'keyId and privateKey');
  const { keyId, headers = ['Idempotency-Key'] } = own;
  assertHeaderSafeString(keyId, 'keyId');
  const names = coveredNames(headers);
  const key = loadPrivateSigningKey('ES512', own.privateKey, undefined);
  const mint = jwsMinter('ES512', key, { alg: 'ES512', kid: keyId, tl_version: '2', tl_headers: names.join(',') });
  return {
    async sign(request: SignableRequest) {
      const body = ownValue(request, 'body');
      const covered = names.map((name): [string, string] => [name, coveredValue(request, name)]);
      const payload = trueLayerPayload(requestMethod(request), requestTarget(request), covered, body instanceof Uint8Array ? body : new Uint8Array());
      const [header, , signature] = (await mint(payload, request.signal)).split('.');
      return { 'Tl-Signature': `${header}..${signature}` };
    },
  };
}

/**
 * The bytes a `Tl-Signature` signs: `<METHOD> <path>\n`, `<Name>: <value>\n` per covered header (in `tl_headers`
 * order and casing), then the body. Signer and verifier share it, so they cannot disagree on a byte.
 * @internal
 */
export function trueLayerPayload(method: string, target: string, headers: ReadonlyArray<readonly [string, string]>, body: Uint8Array): Bytes {
  const head = `${method} ${target}\n${headers.map(([name, value]) => `${name}: ${value}\n`).join('')}`;
  return concat([utf8(head), body]);
}

function coveredNames(headers: unknown): string[] {
  if (!Array.isArray(headers)) throw new SignetError('ERR_INVALID_OPTION', "headers must be a list of header names, e.g. ['Idempotency-Key'].");
  const seen = new Set<string>();
  for (const name of headers) {
    assertHeaderName(name, 'Each of headers');
    if (seen.has(name.toLowerCase())) throw new SignetError('ERR_INVALID_OPTION', `headers names ${name} twice; name each header once.`);
    seen.add(name.toLowerCase());
  }
  return [...(headers as string[])];
}

function requestMethod(request: SignableRequest): string {
  const method = ownValue(request, 'method');
  if (typeof method !== 'string' || !METHOD.test(method)) throw new SignetError('ERR_INVALID_REQUEST', 'request.method must be an HTTP method name such as "POST".');
  return method.toUpperCase();
}

function requestTarget(request: SignableRequest): string {
  const url = ownValue(request, 'url');
  if (typeof url !== 'string' || !/^\/[\x21-\x7e]*$/.test(url) || url.includes('#')) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.url must be the path + query as sent on the wire: starting with "/", percent-encoded, without origin or fragment.');
  }
  return url;
}

/** The value the request sends for `name` (any case); a covered header the request lacks is refused, never signed empty. */
function coveredValue(request: SignableRequest, name: string): string {
  const headers = ownValue(request, 'headers');
  const wanted = name.toLowerCase();
  const found = typeof headers === 'object' && headers !== null ? Object.entries(headers).filter(([key]) => key.toLowerCase() === wanted) : [];
  const value: unknown = found.length === 1 ? found[0]?.[1] : undefined;
  if (typeof value !== 'string') {
    throw new SignetError(
      'ERR_INVALID_REQUEST',
      `The TrueLayer signer covers the ${name} header, but this request has ${found.length > 1 ? 'more than one' : 'none'}: set it once on the request, or leave it out of headers.`,
    );
  }
  if (LINE_BREAK.test(value)) throw new SignetError('ERR_INVALID_REQUEST', `The ${name} header contains a line break; it cannot be sent or signed.`);
  return value;
}
