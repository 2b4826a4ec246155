import { Buffer } from 'node:buffer';
import { type KeyObject, constants, createHmac, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import { HTTP_ALGORITHM_SPECS, type HttpSignatureAlgorithm, PSS_SALT } from './algorithms.js';

// Verification of RFC 9421 signatures with node:crypto, for @signet/verify; core's signers (and its web build) never
// import it.

/**
 * @internal `HTTP_VERIFY` (RFC 9421 §3.3). RSA-PSS accepts the RFC's 64-byte salt and also the maximum salt length,
 * which some implementations sign with (the `http-message-signatures` package); no other length.
 */
export function verifyBase(algorithm: HttpSignatureAlgorithm, key: KeyObject, base: string, signature: Uint8Array): boolean {
  const spec = HTTP_ALGORITHM_SPECS[algorithm];
  const data = Buffer.from(base, 'ascii');
  const given = Buffer.from(signature);
  try {
    if (algorithm === 'hmac-sha256') {
      const expected = createHmac('sha256', key).update(data).digest();
      return given.length === expected.length && timingSafeEqual(given, expected);
    }
    if (spec.signatureBytes !== undefined && given.length !== spec.signatureBytes) return false;
    if (algorithm === 'rsa-pss-sha512') {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      const maxSalt = Math.ceil((bits - 1) / 8) - 64 - 2;
      return [PSS_SALT, maxSalt].some((saltLength) => cryptoVerify('sha512', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, given));
    }
    if (algorithm === 'ed25519') return cryptoVerify(null, data, key, given);
    if (algorithm === 'rsa-v1_5-sha256') return cryptoVerify('sha256', data, key, given);
    return cryptoVerify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, given);
  } catch {
    return false;
  }
}
