import { type JwsAlgorithm, SignetError } from '@signet/core';
import { base64urlOf, fromBase64, keyFits, readOptions, trueLayerPayload } from '@signet/internal';
import { headerValue } from '../claims.js';
import { COMMON_OPTIONS, commonSettings } from '../common.js';
import { decoyKey } from '../decoy.js';
import { signatureValid } from '../jws.js';
import { type PublicKeyInput, loadPublicKey } from '../keys.js';
import type { VerifyKey } from '../platform/crypto.js';
import type { CommonVerifierOptions } from '../options.js';
import { cachedLookup, checkFixedKey } from '../request-verifier.js';
import type { VerifiedClaims, Verifier } from '../types.js';
import { defineVerifier } from '../verifier.js';

/** Options of {@link trueLayerVerifier}: give `publicKey` or `keyForKeyId`. */
export interface TrueLayerVerifierOptions extends Omit<CommonVerifierOptions, 'replay'> {
  /** The one P-521 public key every signature must verify with. */
  publicKey?: PublicKeyInput;
  /** Looks up the public key of the signature's `kid`; `undefined` for an unknown one. */
  keyForKeyId?: (keyId: string) => PublicKeyInput | null | undefined | Promise<PublicKeyInput | null | undefined>;
  /**
   * Headers every signature must cover (compared ignoring case). TrueLayer's specification requires
   * `Idempotency-Key`; TrueLayer's webhooks cover `X-Tl-Webhook-Timestamp` instead.
   * @default ['Idempotency-Key']
   */
  requiredHeaders?: readonly string[];
}

/** What a verified `Tl-Signature` says. */
export interface TrueLayerClaims extends VerifiedClaims {
  /** The `kid`. */
  readonly sub: string;
  /** When the signature was verified: `Tl-Signature` carries no time of its own. */
  readonly iat: number;
  /** The covered header names, as `tl_headers` lists them. */
  readonly headers: readonly string[];
}

const OPTIONS = [...COMMON_OPTIONS.filter((name) => name !== 'replay'), 'publicKey', 'keyForKeyId', 'requiredHeaders'] as const;
const ES512 = new Set<JwsAlgorithm>(['ES512']);
const DETACHED = /^([A-Za-z0-9_-]{1,2048})\.\.([A-Za-z0-9_-]{1,512})$/;

/**
 * Verifies TrueLayer's `Tl-Signature` (request signing v2), for stand-ins and tests: ES512 only, `tl_version: '2'`,
 * the `requiredHeaders` among `tl_headers`, and the signature over `<METHOD> <path>\n`, each covered header (name as
 * `tl_headers` spells it, value as received) and the body bytes received. The path is the request target as
 * received, query included, trailing slash exact. Signatures carry no time or nonce: deduplicate by
 * `Idempotency-Key` in the application (so `replay` is not an option).
 *
 * @example
 * ```ts
 * const verifier = trueLayerVerifier({ keyForKeyId: (kid) => keys.get(kid) });
 * ```
 */
export function trueLayerVerifier(options: TrueLayerVerifierOptions): Verifier<TrueLayerClaims> {
  if (typeof options === 'object' && options !== null && Object.hasOwn(options, 'replay')) {
    throw new SignetError(
      'ERR_INVALID_OPTION',
      'trueLayerVerifier does not take a replay store: a Tl-Signature carries no nonce or time, so a store could only key on the signature. Deduplicate by the Idempotency-Key header instead.',
    );
  }
  const own = readOptions<TrueLayerVerifierOptions>(options, 'trueLayerVerifier', OPTIONS, 'publicKey or keyForKeyId');
  const { publicKey, keyForKeyId, requiredHeaders = ['Idempotency-Key'] } = own;
  const settings = commonSettings(own);
  if ((publicKey === undefined) === (keyForKeyId === undefined) || (keyForKeyId !== undefined && typeof keyForKeyId !== 'function')) {
    throw new SignetError('ERR_INVALID_OPTION', 'trueLayerVerifier needs exactly one of publicKey or keyForKeyId (a function).');
  }
  if (!Array.isArray(requiredHeaders) || requiredHeaders.some((name: unknown) => typeof name !== 'string' || name.length === 0)) {
    throw new SignetError('ERR_INVALID_OPTION', "requiredHeaders must be a list of header names, e.g. ['Idempotency-Key'].");
  }
  const fixedKey = publicKey === undefined ? undefined : loadPublicKey(publicKey, 'publicKey');
  if (fixedKey !== undefined) checkFixedKey(fixedKey, ES512);
  const lookup = keyForKeyId === undefined ? undefined : cachedLookup(keyForKeyId);

  return defineVerifier(settings, {
    headers: ['tl-signature'],
    async authenticate(head, facts) {
      const match = DETACHED.exec(headerValue(head.headers, 'tl-signature') ?? '');
      if (!match) throw new SignetError('ERR_TOKEN_MISSING', 'The request carries no "Tl-Signature: <header>..<signature>" header (a JWS with detached payload).');
      const [, encodedHeader, signature] = match as unknown as [string, string, string];
      const header = protectedHeader(encodedHeader);
      facts.header = header;
      if (header['alg'] !== 'ES512') throw new SignetError('ERR_ALGORITHM_NOT_ALLOWED', "The signature's algorithm is not allowed here (allowed: ES512).");
      if (Object.hasOwn(header, 'crit')) throw new SignetError('ERR_TOKEN_CRIT', 'The signature names critical header extensions ("crit"), which are not supported.');
      if (header['tl_version'] !== '2') throw new SignetError('ERR_CLAIM_INVALID', 'The signature\'s "tl_version" is not "2".');
      const kid = header['kid'];
      if (typeof kid !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(kid)) throw new SignetError('ERR_CLAIM_INVALID', 'The signature\'s "kid" must be 1 to 256 visible ASCII characters.');
      const tlHeaders = header['tl_headers'] ?? '';
      if (typeof tlHeaders !== 'string') throw new SignetError('ERR_CLAIM_INVALID', 'The signature\'s "tl_headers" must be a comma-separated string of header names.');
      const names = tlHeaders.split(',').filter((name) => name.length > 0);
      const covered = new Set(names.map((name) => name.toLowerCase()));
      const missing = requiredHeaders.filter((name: string) => !covered.has(name.toLowerCase()));
      if (missing.length > 0) throw new SignetError('ERR_SIGNATURE_COVERAGE', `The signature does not cover ${missing.join(', ')}, which this server requires.`);
      const values = names.map((name): [string, string] => {
        const value = headerValue(head.headers, name.toLowerCase());
        if (value === undefined) throw new SignetError('ERR_SIGNATURE_INVALID', `The signature covers ${name}, which the request does not carry once.`);
        return [name, value];
      });
      let unknown = false;
      let key: VerifyKey | undefined = fixedKey;
      if (key === undefined) {
        key = await (lookup as (kid: string) => Promise<VerifyKey | undefined>)(kid);
        // An unknown kid costs what a bad signature costs: it is checked against a key nobody holds.
        if (key === undefined) [unknown, key] = [true, decoyKey('ES512')];
      }
      if (!keyFits(key, 'ES512', 'verify')) throw new SignetError('ERR_ALGORITHM_NOT_ALLOWED', 'ES512 does not fit the verification key.');
      const now = settings.now();
      facts.now = now;
      const claims: TrueLayerClaims = { sub: kid, iat: now, headers: names };
      return {
        claims,
        async checkBody(body) {
          const payload = trueLayerPayload(head.method.toUpperCase(), head.url, values, body);
          // High S is accepted: truelayer-signing (node-jws, OpenSSL) leaves S as it falls. A twin (r, n - s) proves
          // nothing the original does not: there is no time to extend and no replay identity built from the signature.
          const signatureBytes = fromBase64(signature);
          const valid = await signatureValid('ES512', key, `${encodedHeader}.${base64urlOf(payload)}`, signatureBytes, true);
          if (unknown) throw new SignetError('ERR_UNKNOWN_KEY', 'No key is known for the signature\'s "kid".');
          if (!valid || base64urlOf(signatureBytes) !== signature) {
            throw new SignetError('ERR_SIGNATURE_INVALID', "The Tl-Signature does not verify for this request's method, path, covered headers and body.");
          }
        },
      };
    },
  });
}

function protectedHeader(encoded: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64(encoded)));
  } catch {
    header = undefined;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SignetError('ERR_JWT_MALFORMED', "The Tl-Signature's protected header is not a base64url JSON object.");
  }
  return header as Record<string, unknown>;
}
