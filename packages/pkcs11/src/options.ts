import { SignetError, type JwsAlgorithm } from '@signet/core';
import { optionNames, readOptions } from '@signet/internal';

/** The algorithms a PKCS#11 key signs with: the mechanisms every HSM of note offers for them. */
export const PKCS11_ALGORITHMS = Object.freeze(['RS256', 'PS256', 'ES256'] as const satisfies readonly JwsAlgorithm[]);

/** One of {@link PKCS11_ALGORITHMS}. */
export type Pkcs11Algorithm = (typeof PKCS11_ALGORITHMS)[number];

/** Options of {@link pkcs11Key}. */
export interface Pkcs11KeyOptions {
  /**
   * Path of the vendor's PKCS#11 library (the `.so`, `.dylib` or `.dll`), e.g. `/usr/lib/softhsm/libsofthsm2.so`,
   * `/usr/safenet/lunaclient/lib/libCryptoki2_64.so`, `/opt/cloudhsm/lib/libcloudhsm_pkcs11.so`.
   */
  library: string;
  /** The token's label (`CKA_LABEL` of the token, trailing blanks ignored): which slot holds the key. */
  tokenLabel: string;
  /** The user PIN of the token. Kept in a closure to log in again after the HSM drops a session; never shown. */
  pin: string;
  /** The private key's `CKA_LABEL`. It must name exactly one private key on the token. */
  keyLabel: string;
  /**
   * The JWS algorithm. RS256 and PS256 need an RSA key of at least 2048 bits, ES256 a P-256 key.
   * @default inferred from the key: `'RS256'` for RSA, `'ES256'` for EC P-256
   */
  algorithm?: Pkcs11Algorithm;
  /**
   * How many sessions sign at once. A PKCS#11 session runs one operation at a time, so each concurrent signature
   * needs its own; more than the HSM's (or libuv's thread pool's) parallelism only queues elsewhere.
   * @default 4
   */
  sessions?: number;
}

const NAMES = optionNames<Pkcs11KeyOptions>({ library: true, tokenLabel: true, pin: true, keyLabel: true, algorithm: true, sessions: true });

/** The options, checked: own properties only, every string non-empty, the algorithm one this package signs with. */
export function readPkcs11Options(options: unknown): Required<Omit<Pkcs11KeyOptions, 'algorithm'>> & { algorithm: Pkcs11Algorithm | undefined } {
  const read = readOptions<Pkcs11KeyOptions>(options, 'pkcs11Key', NAMES, 'library, tokenLabel, pin and keyLabel');
  const text = (name: 'library' | 'tokenLabel' | 'keyLabel' | 'pin'): string => {
    const value = read[name];
    if (typeof value !== 'string' || value === '') throw new SignetError('ERR_INVALID_OPTION', `pkcs11Key needs ${name} as a non-empty string.`);
    return value;
  };
  const { algorithm, sessions = 4 } = read;
  if (algorithm !== undefined && !(PKCS11_ALGORITHMS as readonly unknown[]).includes(algorithm)) {
    throw new SignetError('ERR_INVALID_OPTION', `pkcs11Key signs with ${PKCS11_ALGORITHMS.join(', ')}; leave algorithm out to infer it from the key.`);
  }
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 64) {
    throw new SignetError('ERR_INVALID_OPTION', 'pkcs11Key needs sessions as an integer from 1 to 64.');
  }
  return { library: text('library'), tokenLabel: text('tokenLabel'), pin: text('pin'), keyLabel: text('keyLabel'), algorithm, sessions };
}
