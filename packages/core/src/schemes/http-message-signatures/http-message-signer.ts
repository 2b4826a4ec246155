import type { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { type Clock, checkClock, checkOffset, issuedAt } from '../../clock.js';
import { SignetError } from '../../errors.js';
import { loadHmacSecret, loadPrivateKey } from '../../keys.js';
import { base64urlOf } from '../../platform/bytes.js';
import { randomBytes } from '../../platform/crypto.js';
import { type OffloadMode, checkOffload } from '../../offload.js';
import { optionNames, readOptions } from '../../options.js';
import type { SignableRequest, Signer } from '../../types.js';
import { assertHeaderSafeString, assertPositiveInteger } from '../../validate.js';
import { type HttpSignatureAlgorithm, HTTP_SIGNATURE_ALGORITHMS, assertHttpKeyFits, baseSigner, isHttpSignatureAlgorithm } from './algorithms.js';
import { type ComponentId, ComponentError, type StructuredFieldType, parseComponentId } from './components.js';
import { type ContentDigestAlgorithm, contentDigest, isContentDigestAlgorithm } from './content-digest.js';
import { requestContext } from './request-context.js';
import { signatureBase, signatureParams } from './signature-base.js';
import { type Parameters, serializeDictionary } from './structured-field.js';

/** Options of {@link httpMessageSigner}. */
export interface HttpMessageSignerOptions {
  /** The algorithm, one of RFC 9421's registry (§3.3). */
  algorithm: HttpSignatureAlgorithm;
  /**
   * `hmac-sha256`: the shared secret (string, Buffer, secret KeyObject, HMAC CryptoKey or `oct` JWK, 32 bytes at
   * least). Others: the private key (PEM, DER, KeyObject, CryptoKey or private JWK) of the algorithm's type: RSA (or RSA-PSS) ≥ 2048 bits, EC on P-256 / P-384, Ed25519.
   */
  key: string | Buffer | KeyObject | CryptoKey | JsonWebKey;
  /** Passphrase of an encrypted PEM private key. @default undefined */
  passphrase?: string | Uint8Array;
  /** The `keyid` parameter: how the verifier finds the key. */
  keyId: string;
  /** The signature's label in Signature-Input and Signature. @default 'sig1' */
  label?: string;
  /**
   * The covered components in order, as identifiers: derived components (`@method`, `@target-uri`, `@authority`,
   * `@scheme`, `@request-target`, `@path`, `@query`, `@query-param;name="id"`) and lowercase header fields, with
   * `;sf`, `;key="member"` or `;bs` where they apply. `content-digest` makes the signer compute and send Content-Digest.
   * A header field must be among the request's headers when it is signed (`content-length` is computed from the
   * body); `host` is refused (cover `@authority`, RFC 9421 §2.2.3).
   * @default ['@method', '@authority', '@path', '@query'], then 'content-digest' and 'content-type' when the request has a body
   */
  components?: readonly string[];
  /** The digest algorithm of Content-Digest (RFC 9530). @default 'sha-256' */
  contentDigest?: ContentDigestAlgorithm;
  /** Whether to add `created` (the clock, in seconds). @default true */
  created?: boolean;
  /** Adds `expires = created + expiresInSeconds`. @default undefined (no expires) */
  expiresInSeconds?: number;
  /** Adds a `nonce`: `true` for 16 random bytes in base64url, or a function returning one. @default false */
  nonce?: boolean | (() => string);
  /** Whether to add `alg` (verifiers then check it against the key's algorithm). @default false */
  includeAlg?: boolean;
  /** The `tag` parameter, an application-specific value. @default undefined */
  tag?: string;
  /** Field names whose structured type `;sf` needs, beyond the registered ones (Content-Digest, Signature, …). @default {} */
  structuredFields?: Readonly<Record<string, StructuredFieldType>>;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: Clock;
  /** Seconds added to the clock for `created` and `expires`. @default 0 */
  clockOffsetSeconds?: number;
  /** Where asymmetric signatures run (see `requestSigner`'s `offload`). @default 'auto' */
  offload?: OffloadMode;
}

const SIGNER_OPTIONS = optionNames<HttpMessageSignerOptions>({
  algorithm: true,
  key: true,
  passphrase: true,
  keyId: true,
  label: true,
  components: true,
  contentDigest: true,
  created: true,
  expiresInSeconds: true,
  nonce: true,
  includeAlg: true,
  tag: true,
  structuredFields: true,
  clock: true,
  clockOffsetSeconds: true,
  offload: true,
});

// Fields a transport writes after the signer has run, or that name the connection rather than the message.
const UNCOVERABLE = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection', 'signature', 'signature-input']);
const LABEL = /^[a-z*][a-z0-9_\-.*]{0,63}$/;

/**
 * HTTP Message Signatures (RFC 9421): signs the chosen components of each request and sends `Signature-Input` and
 * `Signature` under one label, with `Content-Digest` (RFC 9530) over the exact body bytes when it is covered.
 * Every signature carries `created` (from the clock) and `keyid`. The transport must tell the request's origin
 * (`@signet/axios` and `@signet/fetch` do) for `@authority`, `@scheme` and `@target-uri`.
 *
 * @example
 * ```ts
 * const signer = httpMessageSigner({ algorithm: 'ed25519', key: privateKeyPem, keyId: 'client-1' });
 * const api = createSignedAxios(signer, { baseURL: 'https://api.example.com' });
 * await api.post('/payments?dryRun=1', { amount: 1250 });
 * ```
 */
export function httpMessageSigner(options: HttpMessageSignerOptions): Signer {
  const own = readOptions<HttpMessageSignerOptions>(options, 'httpMessageSigner', SIGNER_OPTIONS, 'algorithm, key and keyId');
  const { label = 'sig1', contentDigest: digestAlgorithm = 'sha-256', created = true, expiresInSeconds, nonce = false, includeAlg = false, tag, structuredFields = {}, clock = Date.now, offload = 'auto' } = own;
  if (!isHttpSignatureAlgorithm(own.algorithm)) throw new SignetError('ERR_INVALID_OPTION', `algorithm must be one of ${HTTP_SIGNATURE_ALGORITHMS.join(', ')}.`);
  const algorithm = own.algorithm;
  assertHeaderSafeString(own.keyId, 'keyId');
  if (typeof label !== 'string' || !LABEL.test(label)) throw new SignetError('ERR_INVALID_OPTION', 'label must be a lowercase structured-field key such as "sig1" (a-z, 0-9, _ - . *).');
  if (!isContentDigestAlgorithm(digestAlgorithm)) throw new SignetError('ERR_INVALID_OPTION', "contentDigest must be 'sha-256' or 'sha-512'.");
  if (typeof created !== 'boolean' || typeof includeAlg !== 'boolean') throw new SignetError('ERR_INVALID_OPTION', 'created and includeAlg must be booleans.');
  if (expiresInSeconds !== undefined) assertPositiveInteger(expiresInSeconds, 'expiresInSeconds');
  if (typeof nonce !== 'boolean' && typeof nonce !== 'function') throw new SignetError('ERR_INVALID_OPTION', 'nonce must be true, false or a function returning a string.');
  if (tag !== undefined) assertHeaderSafeString(tag, 'tag');
  if (typeof structuredFields !== 'object' || structuredFields === null) throw new SignetError('ERR_INVALID_OPTION', "structuredFields must map field names to 'item', 'list' or 'dictionary'.");
  checkOffload(offload);
  const chosen = own.components === undefined ? undefined : coveredComponents(own.components);
  const key = algorithm === 'hmac-sha256' ? loadHmacSecret(own.key, 'key', 32) : loadPrivateKey(own.key, own.passphrase);
  if (algorithm !== 'hmac-sha256') assertHttpKeyFits(key, algorithm, 'sign', 'key');
  const signBase = baseSigner(algorithm, key, offload);
  const readClock = checkClock(clock);
  const offset = checkOffset(own.clockOffsetSeconds, 'clockOffsetSeconds');
  const keyId = own.keyId;

  return {
    async sign(request: SignableRequest) {
      const now = issuedAt(readClock, offset, request);
      const body = request.body === undefined || request.body.byteLength === 0 ? undefined : request.body;
      const components = chosen ?? defaultComponents(body !== undefined, request);
      const added: Record<string, string> = {};
      if (components.some((id) => id.name === 'content-digest')) added['Content-Digest'] = await contentDigest(body, digestAlgorithm);
      const params: Parameters = [];
      if (created) params.push(['created', now]);
      if (expiresInSeconds !== undefined) params.push(['expires', now + expiresInSeconds]);
      params.push(['keyid', keyId]);
      if (includeAlg) params.push(['alg', algorithm]);
      if (nonce !== false) params.push(['nonce', nonceValue(nonce)]);
      if (tag !== undefined) params.push(['tag', tag]);
      const paramsValue = signatureParams(components, params);
      let base: string;
      try {
        base = signatureBase(components, paramsValue, requestContext(request, added, structuredFields));
      } catch (error) {
        if (error instanceof ComponentError) throw new SignetError('ERR_INVALID_REQUEST', `httpMessageSigner cannot sign this request: ${error.message}.`);
        throw error;
      }
      const signature = await signBase(base);
      return {
        ...added,
        'Signature-Input': `${label}=${paramsValue}`,
        Signature: serializeDictionary([[label, { value: new Uint8Array(signature), params: [] }]]),
      };
    },
  };
}

function coveredComponents(list: unknown): ComponentId[] {
  if (!Array.isArray(list)) throw new SignetError('ERR_INVALID_OPTION', 'components must be a list of component identifiers such as ["@method", "@target-uri", "content-digest"].');
  return list.map((entry: unknown) => {
    if (typeof entry !== 'string') throw new SignetError('ERR_INVALID_OPTION', 'components must hold strings such as "@method" or "content-type".');
    let id: ComponentId;
    try {
      id = parseComponentId(entry);
    } catch (error) {
      if (error instanceof ComponentError) throw new SignetError('ERR_INVALID_OPTION', `components: ${error.message}.`);
      throw error;
    }
    if (id.name === '@status') throw new SignetError('ERR_INVALID_OPTION', 'components: "@status" is a response component; a request has none.');
    if (UNCOVERABLE.has(id.name)) {
      const instead = id.name === 'host' ? ' cover "@authority" instead' : ' leave it out';
      throw new SignetError('ERR_INVALID_OPTION', `components: "${id.name}" is written by the transport after signing, or describes the connection;${instead}.`);
    }
    return id;
  });
}

function defaultComponents(hasBody: boolean, request: SignableRequest): ComponentId[] {
  const names = ['@method', '@authority', '@path', '@query'];
  if (hasBody) {
    names.push('content-digest');
    const headers = request.headers ?? {};
    if (Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) names.push('content-type');
  }
  return names.map((name) => ({ name, params: [] }));
}

function nonceValue(nonce: true | (() => string)): string {
  const value = nonce === true ? base64urlOf(randomBytes(16)) : nonce();
  if (typeof value !== 'string' || !/^[\x20-\x7e]{1,256}$/.test(value)) {
    throw new SignetError('ERR_INVALID_OPTION', 'nonce() must return 1 to 256 printable ASCII characters.');
  }
  return value;
}
