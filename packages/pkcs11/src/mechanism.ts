import { createHash, type KeyObject } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { SignetError } from '@signet/core';
import { keyMisfit } from '@signet/internal';
import type { Pkcs11Algorithm } from './options.js';

/** How one JWS algorithm is asked of a token: the mechanism, and what it is given (the input, or its digest). */
export interface SignMechanism {
  readonly mechanism: pkcs11js.Mechanism;
  /** The bytes handed to C_Sign for the JWS signing input. */
  readonly input: (data: Uint8Array) => Buffer;
  /** The signature's length: the RSA modulus, or `r || s` for ECDSA. */
  readonly signatureBytes: number;
}

const asBuffer = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/**
 * The mechanism for `algorithm`. ES256 uses plain CKM_ECDSA over a SHA-256 digest made here: every HSM offers it
 * (SoftHSM 2.6 and several others lack CKM_ECDSA_SHA256), the digest is of public data, and the token returns the
 * raw `r || s` (IEEE P1363) JWS wants, which Signet's core then normalizes to low S.
 */
export function signMechanism(algorithm: Pkcs11Algorithm, publicKey: KeyObject): SignMechanism {
  switch (algorithm) {
    case 'RS256':
      return { mechanism: { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, input: asBuffer, signatureBytes: modulusBytes(publicKey) };
    case 'PS256': {
      // RFC 7518 §3.5: SHA-256, MGF1 with SHA-256, and a salt as long as the digest.
      const parameter: pkcs11js.RsaPSS = { type: pkcs11js.CK_PARAMS_RSA_PSS, hashAlg: pkcs11js.CKM_SHA256, mgf: pkcs11js.CKG_MGF1_SHA256, saltLen: 32 };
      return { mechanism: { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS_PSS, parameter }, input: asBuffer, signatureBytes: modulusBytes(publicKey) };
    }
    case 'ES256':
      return { mechanism: { mechanism: pkcs11js.CKM_ECDSA }, input: (data) => createHash('sha256').update(data).digest(), signatureBytes: 64 };
  }
}

const modulusBytes = (publicKey: KeyObject): number => Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);

/** The algorithm the key signs with: the one asked for if the key fits it, else the key's natural one. */
export function chooseAlgorithm(asked: Pkcs11Algorithm | undefined, publicKey: KeyObject, keyLabel: string): Pkcs11Algorithm {
  const algorithm = asked ?? (publicKey.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256');
  const misfit = keyMisfit(publicKey, algorithm, 'verify');
  if (misfit !== undefined) {
    const hint = asked === undefined ? '' : ' Leave algorithm out to use the one the key fits, or name another key.';
    throw new SignetError(misfit.code, `key "${keyLabel}" ${misfit.problem}.${hint}`);
  }
  return algorithm;
}

/** Refuses, at construction, an algorithm whose mechanism the token does not offer, rather than at the first request. */
export function assertMechanism(module: pkcs11js.PKCS11, slot: pkcs11js.Handle, sign: SignMechanism, algorithm: Pkcs11Algorithm, tokenLabel: string): void {
  if (!module.C_GetMechanismList(slot).includes(sign.mechanism.mechanism)) {
    throw new SignetError('ERR_KEY_TYPE', `token "${tokenLabel}" does not offer the PKCS#11 mechanism ${algorithm} needs; choose another algorithm.`);
  }
}
