import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type GetPublicKeyCommandOutput, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { type JwsAlgorithm, type SigningKey, SignetError } from '@signet/core';
import { ALGORITHMS, normalizeLowS, optionNames, readOptions } from '@signet/internal';
import { AWS_KMS_ALGORITHMS, type KmsAlgorithm, kmsAlgorithm } from './algorithms.js';
import { derToP1363 } from './der.js';
import { kmsError } from './failure.js';

/** Options of {@link awsKmsKey}. */
export interface AwsKmsKeyOptions {
  /** The `KMSClient` to call, with its region, credentials and retry policy. */
  client: KMSClient;
  /** The KMS key: key id, key ARN, alias name (`alias/…`) or alias ARN. */
  keyId: string;
  /**
   * The JWS algorithm: `RS256`, `RS384`, `RS512`, `PS256` (RSA keys), `ES256` (ECC_NIST_P256), `ES384`
   * (ECC_NIST_P384). To have it read from the key instead, use {@link loadAwsKmsKey}.
   */
  algorithm: JwsAlgorithm;
}

/** Per-call options of the key's operations. */
export interface AwsKmsCallOptions {
  /** Cancels the KMS call (passed to `client.send` as `abortSignal`). @default undefined */
  signal?: AbortSignal;
}

/** A {@link SigningKey} held in AWS KMS, with the public half for verifier set-up. */
export interface AwsKmsKey extends SigningKey {
  /** The `keyId` it was made with. */
  readonly keyId: string;
  /** The public key as SPKI PEM (from `GetPublicKey`, asked once and cached), for the verifier's configuration. */
  publicKeyPem(options?: AwsKmsCallOptions): Promise<string>;
}

const AWS_KMS_KEY_OPTIONS = optionNames<AwsKmsKeyOptions>({ client: true, keyId: true, algorithm: true });

/**
 * A {@link SigningKey} whose private key never leaves AWS KMS. `sign` hashes the signing input here (SHA-256/384/512)
 * and sends KMS only the digest (`MessageType: 'DIGEST'`), so a token of any size costs one small `Sign` call;
 * ECDSA signatures come back DER-encoded and are returned as JWS's `r || s`, low-S.
 *
 * Failures reject with `SignetError`: `ERR_KEY_TYPE` when KMS says the key cannot sign with `algorithm`
 * (`InvalidKeyUsageException`), `ERR_SIGNING_FAILED` for everything else (not found, disabled, throttled,
 * aborted, network). The `cause` is a scrubbed copy of the SDK error ({@link AwsKmsFailure}), never the SDK error.
 *
 * @example
 * ```ts
 * import { KMSClient } from '@aws-sdk/client-kms';
 * import { awsKmsKey } from '@signet/aws-kms';
 *
 * const key = awsKmsKey({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/api-signing', algorithm: 'ES256' });
 * const signer = jwtSigner({ algorithm: key.algorithm, key });
 * ```
 */
export function awsKmsKey(options: AwsKmsKeyOptions): AwsKmsKey {
  const own = readOptions<AwsKmsKeyOptions>(options, 'awsKmsKey', AWS_KMS_KEY_OPTIONS, '{ client, keyId, algorithm }');
  const client = checkClient(own.client, 'awsKmsKey');
  const keyId = checkKeyId(own.keyId, 'awsKmsKey');
  if (own.algorithm === undefined) {
    throw new SignetError('ERR_INVALID_OPTION', 'awsKmsKey needs algorithm (e.g. "ES256"); to read it from the key, use `await loadAwsKmsKey({ client, keyId })`.');
  }
  return makeKey(client, keyId, checkAlgorithm(own.algorithm));
}

/** @internal The key itself, once its options are checked; `publicKey` is a `GetPublicKey` answer already had. */
export function makeKey(client: KMSClient, keyId: string, algorithm: JwsAlgorithm, publicKey?: GetPublicKeyCommandOutput): AwsKmsKey {
  const kms = kmsAlgorithm(algorithm) as KmsAlgorithm;
  let pem: Promise<string> | undefined = publicKey === undefined ? undefined : Promise.resolve(publicKeyToPem(publicKey, keyId));
  return Object.freeze({
    algorithm,
    keyId,
    async sign(data: Uint8Array, callOptions?: { signal?: AbortSignal }): Promise<Uint8Array> {
      if (!(data instanceof Uint8Array)) throw new SignetError('ERR_INVALID_REQUEST', 'sign() needs the signing input as a Uint8Array.');
      const digest = createHash(kms.hash).update(data).digest();
      const command = new SignCommand({ KeyId: keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: kms.signingAlgorithm as never });
      let output;
      try {
        output = await client.send(command, sendOptions(callOptions?.signal));
      } catch (error) {
        if (nameOf(error) === 'InvalidKeyUsageException') {
          throw kmsError(
            'ERR_KEY_TYPE',
            `AWS KMS key ${keyId} cannot sign with ${algorithm} (${kms.signingAlgorithm}); check the key's KeySpec and KeyUsage, or use loadAwsKmsKey to read the algorithm from the key`,
            error,
          );
        }
        throw kmsError('ERR_SIGNING_FAILED', `AWS KMS Sign with key ${keyId} failed`, error);
      }
      const signature = output.Signature;
      if (!(signature instanceof Uint8Array) || signature.length === 0) {
        throw new SignetError('ERR_SIGNING_FAILED', `AWS KMS Sign with key ${keyId} answered without a signature.`);
      }
      if (output.SigningAlgorithm !== undefined && output.SigningAlgorithm !== kms.signingAlgorithm) {
        throw new SignetError('ERR_SIGNING_FAILED', `AWS KMS signed with ${output.SigningAlgorithm}, not the ${kms.signingAlgorithm} that ${algorithm} needs.`);
      }
      if (kms.ecHalfBytes === undefined) return signature;
      // Low-S here too, so the key is usable on its own: @signet/verify accepts only the low-S twin (malleability).
      return normalizeLowS(Buffer.from(derToP1363(signature, kms.ecHalfBytes)), ALGORITHMS[algorithm].curveOrder as bigint);
    },
    publicKeyPem(callOptions?: AwsKmsCallOptions): Promise<string> {
      pem ??= fetchPublicKey(client, keyId, callOptions?.signal).then((output) => publicKeyToPem(output, keyId));
      // A failed or cancelled call is not cached: the next caller asks again.
      pem.catch(() => {
        pem = undefined;
      });
      return pem;
    },
  });
}

/** @internal `GetPublicKey`, its failure a `SignetError` with a scrubbed cause. */
export async function fetchPublicKey(client: KMSClient, keyId: string, signal?: AbortSignal): Promise<GetPublicKeyCommandOutput> {
  try {
    return await client.send(new GetPublicKeyCommand({ KeyId: keyId }), sendOptions(signal));
  } catch (error) {
    throw kmsError('ERR_SIGNING_FAILED', `AWS KMS GetPublicKey for key ${keyId} failed`, error);
  }
}

function publicKeyToPem(output: GetPublicKeyCommandOutput, keyId: string): string {
  try {
    return createPublicKey({ key: Buffer.from(output.PublicKey as Uint8Array), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }) as string;
  } catch {
    throw new SignetError('ERR_PROVIDER_RESPONSE', `AWS KMS GetPublicKey for key ${keyId} answered without a DER SPKI public key.`);
  }
}

/** @internal */
export function checkClient(client: unknown, fn: string): KMSClient {
  if (typeof client !== 'object' || client === null || typeof (client as { send?: unknown }).send !== 'function') {
    throw new SignetError('ERR_INVALID_OPTION', `${fn} needs client: a KMSClient from @aws-sdk/client-kms (new KMSClient({ region })).`);
  }
  return client as KMSClient;
}

/** @internal */
export function checkKeyId(keyId: unknown, fn: string): string {
  if (typeof keyId !== 'string' || keyId.trim() === '' || keyId.length > 2048) {
    throw new SignetError('ERR_INVALID_OPTION', `${fn} needs keyId: a KMS key id, key ARN, or alias ("alias/name").`);
  }
  return keyId;
}

/** @internal */
export function checkAlgorithm(algorithm: unknown): JwsAlgorithm {
  if (kmsAlgorithm(algorithm) === undefined) {
    throw new SignetError('ERR_INVALID_OPTION', `algorithm must be one of ${AWS_KMS_ALGORITHMS.join(', ')} for an AWS KMS key.`);
  }
  return algorithm as JwsAlgorithm;
}

function sendOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

function nameOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
}
