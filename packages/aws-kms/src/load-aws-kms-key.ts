import type { KMSClient } from '@aws-sdk/client-kms';
import { type JwsAlgorithm, SignetError } from '@signet/core';
import { optionNames, readOptions } from '@signet/internal';
import { inferAlgorithm, kmsAlgorithm } from './algorithms.js';
import { type AwsKmsCallOptions, type AwsKmsKey, checkAlgorithm, checkClient, checkKeyId, fetchPublicKey, makeKey } from './aws-kms-key.js';

/** Options of {@link loadAwsKmsKey}. */
export interface LoadAwsKmsKeyOptions {
  /** The `KMSClient` to call. */
  client: KMSClient;
  /** The KMS key: key id, key ARN, alias name (`alias/…`) or alias ARN. */
  keyId: string;
  /**
   * The JWS algorithm, checked against the key's `SigningAlgorithms`. When omitted it is read from the key's
   * `KeySpec`: ES256 for ECC_NIST_P256, ES384 for ECC_NIST_P384, RS256 for RSA keys.
   * @default inferred from the key
   */
  algorithm?: JwsAlgorithm;
}

const LOAD_OPTIONS = optionNames<LoadAwsKmsKeyOptions>({ client: true, keyId: true, algorithm: true });

/**
 * Asks KMS for the key's public half (`GetPublicKey`, needs `kms:GetPublicKey`) and returns the {@link AwsKmsKey}
 * for it, its algorithm read from the key or checked against it: a key that cannot sign with the algorithm fails
 * here, at start-up, with `ERR_KEY_TYPE`, not at the first request. `publicKeyPem()` then answers from this call.
 *
 * Why not infer at the first `sign()`: the JWS header names `alg`, and it is written before `sign` is called.
 *
 * @example
 * ```ts
 * const key = await loadAwsKmsKey({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/api-signing' });
 * key.algorithm; // 'ES256' for an ECC_NIST_P256 key
 * ```
 */
export async function loadAwsKmsKey(options: LoadAwsKmsKeyOptions, callOptions?: AwsKmsCallOptions): Promise<AwsKmsKey> {
  const own = readOptions<LoadAwsKmsKeyOptions>(options, 'loadAwsKmsKey', LOAD_OPTIONS, '{ client, keyId }');
  const client = checkClient(own.client, 'loadAwsKmsKey');
  const keyId = checkKeyId(own.keyId, 'loadAwsKmsKey');
  const wanted = own.algorithm === undefined ? undefined : checkAlgorithm(own.algorithm);
  const output = await fetchPublicKey(client, keyId, callOptions?.signal);
  const keySpec = output.KeySpec ?? 'an unknown KeySpec';
  if (output.KeyUsage !== 'SIGN_VERIFY') {
    throw new SignetError('ERR_KEY_TYPE', `AWS KMS key ${keyId} has KeyUsage ${output.KeyUsage ?? 'unknown'}; signing needs a SIGN_VERIFY key.`);
  }
  const offered = (output.SigningAlgorithms ?? []) as string[];
  let algorithm: JwsAlgorithm;
  if (wanted === undefined) {
    const inferred = inferAlgorithm(output.KeySpec, offered);
    if (inferred === undefined) {
      throw new SignetError('ERR_KEY_TYPE', `AWS KMS key ${keyId} (${keySpec}) has no JWS algorithm Signet can sign with here; use an RSA, ECC_NIST_P256 or ECC_NIST_P384 key.`);
    }
    algorithm = inferred;
  } else {
    if (!offered.includes(kmsAlgorithm(wanted)!.signingAlgorithm)) {
      throw new SignetError('ERR_KEY_TYPE', `AWS KMS key ${keyId} (${keySpec}) cannot sign with ${wanted}; it offers ${offered.join(', ') || 'no signing algorithm'}.`);
    }
    algorithm = wanted;
  }
  return makeKey(client, keyId, algorithm, output);
}
