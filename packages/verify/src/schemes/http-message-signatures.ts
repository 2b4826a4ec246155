import type { KeyObject } from 'node:crypto';
import { type HttpSignatureAlgorithm, SignetError, type StructuredFieldType } from '@signet/core';
import {
  type ComponentId,
  ComponentError,
  type InnerList,
  assertHeaderSafeString,
  checkComponentId,
  checkContentDigest,
  httpKeyMisfit,
  isHttpSignatureAlgorithm,
  loadHmacSecret,
  parseComponentId,
  parseDictionary,
  readOptions,
  serializeComponentId,
  serializeInnerList,
  signatureBase,
  verifyBase,
} from '@signet/internal';
import { headerValue } from '../claims.js';
import { COMMON_OPTIONS, commonSettings } from '../common.js';
import { type PublicKeyInput, loadPublicKey } from '../keys.js';
import type { CommonVerifierOptions } from '../options.js';
import { claimOnce, replayIdentity } from '../replay-claim.js';
import type { RequestHead, VerifiedClaims, Verifier } from '../types.js';
import { defineVerifier } from '../verifier.js';
import { coverageGap, messageOf } from './http-message-context.js';

/** A key the verifier knows: its algorithm (fixed here, never taken from the request) and its public key or secret. */
export interface HttpVerificationKey {
  algorithm: HttpSignatureAlgorithm;
  /** The public key (PEM, DER SPKI, certificate or KeyObject), or for `hmac-sha256` the shared secret. */
  key: PublicKeyInput;
}

/** Options of {@link httpMessageVerifier}. */
export interface HttpMessageVerifierOptions extends CommonVerifierOptions {
  /** The keys by `keyid`: a record, or a lookup (sync or async) returning `undefined` for an unknown keyid. */
  keys: Readonly<Record<string, HttpVerificationKey>> | ((keyId: string) => HttpVerificationKey | undefined | Promise<HttpVerificationKey | undefined>);
  /**
   * Components every signature must cover. `@target-uri` stands for `@scheme`, `@authority`, `@path` and `@query`;
   * `@request-target` for `@path` and `@query`.
   * @default ['@method', '@authority', '@path', '@query']
   */
  requiredComponents?: readonly string[];
  /** A request with a body must cover `content-digest`, and the digest must match the bytes received. @default true */
  requireContentDigest?: boolean;
  /** Parameters every signature must carry besides `created` and `keyid` (always required). @default [] */
  requiredParameters?: readonly ('expires' | 'nonce' | 'alg' | 'tag')[];
  /** The oldest `created` accepted, in seconds before now (plus the clock tolerance). @default 300 */
  maxAgeSeconds?: number;
  /** The label of the signature to verify. @default the first signature of Signature-Input */
  label?: string;
  /** The `tag` the signature must carry. @default undefined (any or none) */
  tag?: string;
  /**
   * The origin clients address this server as (`'https://api.example.com'`), for `@authority`, `@scheme` and
   * `@target-uri`. Without it `@authority` is read from the Host header and `@scheme` / `@target-uri` cannot verify.
   * @default undefined
   */
  origin?: string;
  /** Field names whose structured type `;sf` needs, beyond the registered ones. @default {} */
  structuredFields?: Readonly<Record<string, StructuredFieldType>>;
}

const OPTIONS = [...COMMON_OPTIONS, 'keys', 'requiredComponents', 'requireContentDigest', 'requiredParameters', 'maxAgeSeconds', 'label', 'tag', 'origin', 'structuredFields'] as const;

/** The claims of a verified HTTP message signature. */
export interface HttpSignatureClaims extends VerifiedClaims {
  /** The `keyid`. */
  readonly sub: string;
  /** `created`. */
  readonly iat: number;
  /** `expires`, when given. */
  readonly exp?: number;
  readonly label: string;
  /** The covered component identifiers, as serialized in Signature-Input. */
  readonly components: readonly string[];
  readonly nonce?: string;
  readonly tag?: string;
}

/**
 * Verifies HTTP Message Signatures (RFC 9421): the labelled signature's required components and parameters, the
 * key found by `keyid` (whose algorithm the server fixes; an `alg` parameter must agree), the signature over the
 * rebuilt signature base, `created` within `maxAgeSeconds` (and `expires`), then the body against Content-Digest
 * (RFC 9530) and, last, the `nonce` in the replay store.
 *
 * @example
 * ```ts
 * const verifier = httpMessageVerifier({
 *   keys: { 'client-1': { algorithm: 'ed25519', key: clientPublicKeyPem } },
 *   origin: 'https://api.example.com',
 * });
 * app.use(signetMiddleware(verifier));
 * ```
 */
export function httpMessageVerifier(options: HttpMessageVerifierOptions): Verifier<HttpSignatureClaims> {
  const own = readOptions<HttpMessageVerifierOptions>(options, 'httpMessageVerifier', OPTIONS, 'keys');
  const settings = commonSettings(own);
  const { requireContentDigest = true, requiredParameters = [], maxAgeSeconds = 300, label, tag, origin, structuredFields = {} } = own;
  const lookup = keyLookup(own.keys);
  const required = checkedComponents(own.requiredComponents ?? ['@method', '@authority', '@path', '@query']);
  if (typeof requireContentDigest !== 'boolean') throw new SignetError('ERR_INVALID_OPTION', 'requireContentDigest must be a boolean.');
  if (!Array.isArray(requiredParameters) || requiredParameters.some((name: unknown) => typeof name !== 'string' || !['expires', 'nonce', 'alg', 'tag'].includes(name))) {
    throw new SignetError('ERR_INVALID_OPTION', "requiredParameters must list some of 'expires', 'nonce', 'alg', 'tag'.");
  }
  if (typeof maxAgeSeconds !== 'number' || !Number.isSafeInteger(maxAgeSeconds) || maxAgeSeconds <= 0) throw new SignetError('ERR_INVALID_OPTION', 'maxAgeSeconds must be a positive whole number of seconds.');
  if (label !== undefined) assertHeaderSafeString(label, 'label');
  if (tag !== undefined) assertHeaderSafeString(tag, 'tag');
  const originUrl = origin === undefined ? undefined : checkedOrigin(origin);

  return defineVerifier(settings, {
    headers: ['signature', 'signature-input'],
    async authenticate(head, facts) {
      const chosen = chosenSignature(head, label);
      const { components, params } = chosen;
      facts.header = { alg: params.alg };
      facts.payload = { sub: params.keyid, iat: params.created, exp: params.expires, nonce: params.nonce };
      const missing = coverageGap(components, required);
      if (missing !== undefined) throw new SignetError('ERR_SIGNATURE_COVERAGE', `The signature does not cover ${missing}, which this server requires.`);
      for (const name of requiredParameters as readonly ('expires' | 'nonce' | 'alg' | 'tag')[]) {
        if (params[name] === undefined) throw new SignetError('ERR_CLAIM_INVALID', `The signature has no "${name}" parameter, which this server requires.`);
      }
      if (tag !== undefined && params.tag !== tag) throw new SignetError('ERR_CLAIM_INVALID', `The signature's "tag" is not "${tag}".`);
      const { replay } = settings;
      if (replay !== undefined && params.nonce === undefined) {
        throw new SignetError('ERR_NONCE_REQUIRED', 'This API refuses replays, so every signature must carry a unique "nonce" parameter: sign with nonce: true.');
      }
      const { algorithm, key } = await lookup(params.keyid);
      if (params.alg !== undefined && params.alg !== algorithm) throw new SignetError('ERR_ALGORITHM_NOT_ALLOWED', `The signature's "alg" is not the algorithm of key "${params.keyid}".`);
      let base: string;
      try {
        base = signatureBase(components, serializeInnerList(chosen.member), messageOf(head, originUrl, structuredFields));
      } catch (error) {
        if (error instanceof ComponentError) throw new SignetError('ERR_SIGNATURE_INVALID', `The signature base cannot be rebuilt: ${error.message}.`);
        throw error;
      }
      if (!verifyBase(algorithm, key, base, chosen.signature)) throw new SignetError('ERR_SIGNATURE_INVALID', 'The signature does not verify.');
      const now = settings.now();
      facts.now = now;
      checkTimes(params.created, params.expires, now, maxAgeSeconds, settings.toleranceSeconds);
      const exp = params.expires ?? params.created + maxAgeSeconds;
      const coversDigest = components.some((id) => id.name === 'content-digest' && id.params.length === 0);
      const claims: HttpSignatureClaims = {
        sub: params.keyid,
        iat: params.created,
        ...(params.expires === undefined ? {} : { exp: params.expires }),
        label: chosen.label,
        components: components.map(serializeComponentId),
        ...(params.nonce === undefined ? {} : { nonce: params.nonce }),
        ...(params.tag === undefined ? {} : { tag: params.tag }),
      };
      const identity = replay === undefined ? undefined : replayIdentity({ nonce: params.nonce }, params.keyid);
      return {
        claims,
        async checkBody(body) {
          if (coversDigest) {
            const outcome = checkContentDigest(headerValue(head.headers, 'content-digest') ?? '', body);
            if (outcome !== 'ok') {
              throw new SignetError(
                'ERR_BODY_HASH_MISMATCH',
                outcome === 'mismatch' ? 'The body received does not match the Content-Digest the signature covers.' : 'The Content-Digest covered holds no sha-256 or sha-512 digest.',
              );
            }
          } else if (requireContentDigest && body.byteLength > 0) {
            throw new SignetError('ERR_SIGNATURE_COVERAGE', 'The request has a body but its signature does not cover content-digest: the body is not bound.');
          }
          if (replay !== undefined && identity !== undefined) await claimOnce(replay, identity, exp, now, settings.toleranceSeconds);
        },
      };
    },
  });
}

interface SignatureParams {
  created: number;
  keyid: string;
  expires?: number;
  nonce?: string;
  alg?: string;
  tag?: string;
}

/** The labelled signature of Signature-Input and Signature, parsed and checked for shape. */
function chosenSignature(head: RequestHead, label: string | undefined): { label: string; member: InnerList; components: ComponentId[]; params: SignatureParams; signature: Uint8Array } {
  const inputField = headerValue(head.headers, 'signature-input');
  const signatureField = headerValue(head.headers, 'signature');
  if (inputField === undefined || signatureField === undefined) throw new SignetError('ERR_TOKEN_MISSING', 'The request carries no Signature-Input and Signature header pair.');
  let inputs;
  let signatures;
  try {
    inputs = parseDictionary(inputField);
    signatures = parseDictionary(signatureField);
  } catch {
    throw new SignetError('ERR_CLAIM_INVALID', 'Signature-Input or Signature is not a valid structured-field Dictionary.');
  }
  const entry = label === undefined ? inputs[0] : inputs.find(([name]) => name === label);
  if (entry === undefined) throw new SignetError('ERR_TOKEN_MISSING', `Signature-Input has no signature${label === undefined ? '' : ` labelled "${label}"`}.`);
  const [chosen, member] = entry;
  const signature = signatures.find(([name]) => name === chosen)?.[1];
  if (signature === undefined || !('value' in signature) || !(signature.value instanceof Uint8Array)) {
    throw new SignetError('ERR_TOKEN_MISSING', `The Signature header has no byte sequence labelled "${chosen}".`);
  }
  if (!('items' in member)) throw new SignetError('ERR_CLAIM_INVALID', `Signature-Input "${chosen}" is not an inner list of components.`);
  let components: ComponentId[];
  try {
    components = member.items.map((item) => {
      if (typeof item.value !== 'string') throw new ComponentError('a covered component is not a string');
      return checkComponentId({ name: item.value, params: item.params });
    });
  } catch (error) {
    if (error instanceof ComponentError) throw new SignetError('ERR_CLAIM_INVALID', `Signature-Input "${chosen}": ${error.message}.`);
    throw error;
  }
  return { label: chosen, member, components, params: signatureParams(new Map(member.params)), signature: signature.value };
}

function signatureParams(params: Map<string, unknown>): SignatureParams {
  const integer = (name: string): number | undefined => {
    const value = params.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new SignetError('ERR_CLAIM_INVALID', `The "${name}" parameter must be a whole number of seconds.`);
    return value;
  };
  const string = (name: string): string | undefined => {
    const value = params.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw new SignetError('ERR_CLAIM_INVALID', `The "${name}" parameter must be a string of 1 to 256 characters.`);
    return value;
  };
  const created = integer('created');
  const keyid = string('keyid');
  if (created === undefined) throw new SignetError('ERR_CLAIM_INVALID', 'The signature has no "created" parameter.');
  if (keyid === undefined) throw new SignetError('ERR_CLAIM_INVALID', 'The signature has no "keyid" parameter.');
  const out: SignatureParams = { created, keyid };
  const expires = integer('expires');
  if (expires !== undefined) out.expires = expires;
  for (const name of ['nonce', 'alg', 'tag'] as const) {
    const value = string(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function checkTimes(created: number, expires: number | undefined, now: number, maxAge: number, tolerance: number): void {
  if (expires !== undefined && expires <= created) throw new SignetError('ERR_CLAIM_INVALID', 'The signature expires before it was created.');
  if (created > now + tolerance) throw new SignetError('ERR_TOKEN_FUTURE', "The signature is created in the future: check the signer's clock.");
  if (created < now - maxAge - tolerance) throw new SignetError('ERR_TOKEN_EXPIRED', `The signature was created more than ${maxAge} seconds ago.`);
  if (expires !== undefined && expires <= now - tolerance) throw new SignetError('ERR_TOKEN_EXPIRED', 'The signature has expired.');
}

function keyLookup(keys: unknown): (keyId: string) => Promise<{ algorithm: HttpSignatureAlgorithm; key: KeyObject }> {
  if (typeof keys === 'function') {
    return async (keyId) => {
      let found: unknown;
      try {
        found = await (keys as (keyId: string) => unknown)(keyId);
      } catch {
        throw new SignetError('ERR_KEY_LOOKUP_FAILED', 'The keys lookup threw; the request is refused.');
      }
      if (found === undefined || found === null) throw new SignetError('ERR_UNKNOWN_KEY', "No key is known for the signature's keyid.");
      return loadKey(found, 'the key the lookup returned');
    };
  }
  if (typeof keys !== 'object' || keys === null) throw new SignetError('ERR_INVALID_OPTION', 'keys must map each keyid to { algorithm, key }, or be a lookup function.');
  const loaded = new Map(Object.keys(keys).map((keyId) => [keyId, loadKey((keys as Record<string, unknown>)[keyId], `keys["${keyId}"]`)]));
  return async (keyId) => {
    const found = loaded.get(keyId);
    if (found === undefined) throw new SignetError('ERR_UNKNOWN_KEY', "No key is known for the signature's keyid.");
    return found;
  };
}

function loadKey(entry: unknown, what: string): { algorithm: HttpSignatureAlgorithm; key: KeyObject } {
  const algorithm = (entry as { algorithm?: unknown } | null)?.algorithm;
  if (!isHttpSignatureAlgorithm(algorithm)) throw new SignetError('ERR_INVALID_OPTION', `${what} needs an algorithm of RFC 9421 (e.g. 'ed25519').`);
  const input = (entry as { key?: unknown }).key;
  const key = algorithm === 'hmac-sha256' ? loadHmacSecret(input, `${what}.key`, 32) : loadPublicKey(input, `${what}.key`);
  const misfit = httpKeyMisfit(key, algorithm, 'verify');
  if (misfit !== undefined) throw new SignetError(misfit.code, `${what}.key ${misfit.problem}.`);
  return { algorithm, key };
}

function checkedComponents(list: unknown): ComponentId[] {
  if (!Array.isArray(list)) throw new SignetError('ERR_INVALID_OPTION', 'requiredComponents must be a list such as ["@method", "@target-uri"].');
  return list.map((entry: unknown) => {
    try {
      if (typeof entry !== 'string') throw new ComponentError('entries must be strings');
      return parseComponentId(entry);
    } catch (error) {
      if (error instanceof ComponentError) throw new SignetError('ERR_INVALID_OPTION', `requiredComponents: ${error.message}.`);
      throw error;
    }
  });
}

function checkedOrigin(origin: unknown): URL {
  try {
    const url = new URL(String(origin));
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/' && url.search === '') return url;
  } catch {
    // fall through
  }
  throw new SignetError('ERR_INVALID_OPTION', "origin must be an http(s) origin such as 'https://api.example.com'.");
}
