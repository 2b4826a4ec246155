import { type JwsAlgorithm, SignetError, decodeJwt } from '@signet/core';
import { ALGORITHMS, base64urlOf, fromBase64, isLowS, keyFits, latin1 } from '@signet/internal';
import { type VerifyKey, verifySignature } from './platform/crypto.js';

/** Tokens longer than this are refused before any parsing. */
const MAX_TOKEN_LENGTH = 8192;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** @internal What a scheme asks beyond plain JWT verification. */
export interface JwsProfile {
  /** A `typ` the token must carry (compared ignoring case, as media types are); else `typ` may be absent or `JWT`. */
  typ?: string;
  /**
   * Accept ECDSA signatures whose S is in the high half. Signet's own tokens are low-S and are refused otherwise, so
   * a token has one spelling; a scheme whose replay identity is a claim (DPoP's `jti`) and whose clients sign with
   * WebCrypto, which leaves S as it falls, accepts both.
   */
  highS?: boolean;
}

export interface VerifiedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * Verifies a compact JWS in the order RFC 8725 asks for: structure, an explicit algorithm allow-list (so never
 * `none`), `typ`, no unknown `crit`, a key whose type fits the algorithm (so never HMAC with a public key), and the
 * signature, all before any claim is looked at. A forged token is always a signature error, never an expiry.
 * @internal
 */
export async function verifyJws(
  token: string,
  algorithms: ReadonlySet<JwsAlgorithm>,
  resolveKey: (header: Record<string, unknown>, payload: Record<string, unknown>) => VerifyKey | Promise<VerifyKey>,
  onDecoded?: (header: Record<string, unknown>, payload: Record<string, unknown>) => void,
  profile: JwsProfile = {},
): Promise<VerifiedJws> {
  const requiredTyp = profile.typ;
  if (token.length > MAX_TOKEN_LENGTH) throw new SignetError('ERR_JWT_MALFORMED', `The token is longer than ${MAX_TOKEN_LENGTH} characters.`);
  const { header, payload, signature } = decodeJwt(token);
  onDecoded?.(header, payload);
  const alg = header['alg'];
  if (typeof alg !== 'string' || !algorithms.has(alg as JwsAlgorithm)) {
    throw new SignetError('ERR_ALGORITHM_NOT_ALLOWED', `The token's algorithm is not allowed here (allowed: ${[...algorithms].join(', ')}).`);
  }
  const typ = header['typ'];
  // A scheme's own type (DPoP's `dpop+jwt`) is required; plain JWTs may leave `typ` out. Media types ignore case.
  const expected = requiredTyp ?? 'JWT';
  if ((typ !== undefined || requiredTyp !== undefined) && (typeof typ !== 'string' || typ.toLowerCase() !== expected.toLowerCase())) {
    throw new SignetError('ERR_TOKEN_TYPE', `The token's "typ" header is not "${expected}".`);
  }
  if (Object.hasOwn(header, 'crit')) {
    throw new SignetError('ERR_TOKEN_CRIT', 'The token names critical header extensions ("crit"), which are not supported.');
  }
  const key = await resolveKey(header, payload);
  // keyFits reads a KeyObject's type, key type and details; the web build's key handle carries the same fields.
  if (!keyFits(key, alg as JwsAlgorithm, 'verify')) {
    throw new SignetError('ERR_ALGORITHM_NOT_ALLOWED', `The token's algorithm ${alg} does not fit the verification key.`);
  }
  const signatureBytes = SEGMENT.test(signature) ? fromBase64(signature) : undefined;
  const signingInput = token.slice(0, token.lastIndexOf('.'));
  const valid =
    signatureBytes !== undefined && base64urlOf(signatureBytes) === signature && token.split('.').length === 3 && signatureValid(alg as JwsAlgorithm, key, signingInput, signatureBytes, profile.highS === true);
  if (!(typeof valid === 'boolean' ? valid : await valid)) {
    throw new SignetError('ERR_SIGNATURE_INVALID', "The token's signature does not verify.");
  }
  return { header, payload };
}

/**
 * @internal One JWS signature over `signingInput` (`<header>.<payload>`, ASCII), as {@link verifyJws} checks it. A
 * signature that does not verify is `false`. The answer is synchronous on Node (no promise on the hot path) and a
 * promise on the web build, where a key WebCrypto refuses to import rejects with its `SignetError`.
 */
export function signatureValid(alg: JwsAlgorithm, key: VerifyKey, signingInput: string, signature: Uint8Array, highS: boolean): boolean | Promise<boolean> {
  const spec = ALGORITHMS[alg];
  // (r, n - s) verifies as well as (r, s): only the low-S spelling is accepted, so a token has one signature.
  if (spec.family === 'ec' && (signature.length !== spec.signatureBytes || (!highS && !isLowS(signature, spec.curveOrder as bigint)))) return false;
  let valid: boolean | Promise<boolean>;
  try {
    valid = verifySignature(alg, key, latin1(signingInput), signature);
  } catch {
    return false;
  }
  return typeof valid === 'boolean' ? valid : valid.catch(notVerified);
}

/** A failed web verification is `false`, unless it is a key the platform refused: that is its own error. */
function notVerified(error: unknown): false {
  if (error instanceof SignetError) throw error;
  return false;
}
