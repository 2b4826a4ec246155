import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SignetError, type SignetErrorCode } from '@signet/core';
import { type AwsKmsFailure, awsKmsKey, loadAwsKmsKey } from '@signet/aws-kms';
import { reachableLeaks } from '@signet/test-support';
import { CREDENTIALS, type KmsStandIn, type StandInOptions, startKmsStandIn, standInKey } from './support/kms-stand-in.js';

const standIns: KmsStandIn[] = [];
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
});

async function standIn(options: StandInOptions): Promise<KmsStandIn> {
  const started = await startKmsStandIn(options);
  standIns.push(started);
  return started;
}

async function rejection(promise: Promise<unknown>, code: SignetErrorCode): Promise<SignetError & { cause?: AwsKmsFailure }> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(SignetError);
  expect((caught as SignetError).code).toBe(code);
  return caught as SignetError & { cause?: AwsKmsFailure };
}

const data = new TextEncoder().encode('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJlcnJvcnMifQ');

/** Every way a caller can print or walk an error, none of which may show a credential. */
function expectNoCredentials(error: unknown, extra: { name: string; value: string }[] = []): void {
  const needles = [{ name: 'access key id', value: CREDENTIALS.accessKeyId }, { name: 'secret access key', value: CREDENTIALS.secretAccessKey }, { name: 'session token', value: CREDENTIALS.sessionToken }, ...extra];
  const texts = [
    inspect(error, { depth: Infinity, showHidden: true, getters: true }),
    JSON.stringify(error),
    JSON.stringify((error as { cause?: unknown }).cause),
    String((error as Error).stack),
    String((error as Error).message),
  ];
  for (const needle of needles) for (const text of texts) expect(text, needle.name).not.toContain(needle.value);
  expect(reachableLeaks(error, needles)).toEqual([]);
}

describe('KMS failures become SignetError with a scrubbed cause', () => {
  it('an unknown key rejects the first sign() with ERR_SIGNING_FAILED; the cause keeps the name, status and request id only', async () => {
    const kms = await standIn({ keys: {} });
    const key = awsKmsKey({ client: kms.client(), keyId: 'alias/missing', algorithm: 'ES256' });
    const error = await rejection(key.sign(data), 'ERR_SIGNING_FAILED');
    expect(error.message).toMatch(/alias\/missing/);
    expect(error.message).toMatch(/NotFoundException, HTTP 400, request id [0-9a-f-]{36}/);
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause?.name).toBe('NotFoundException');
    expect(error.cause?.httpStatusCode).toBe(400);
    expect(Object.keys(error.cause as object).sort()).toEqual(['httpStatusCode', 'name', 'requestId']);
    expect(Object.getOwnPropertyNames(error.cause).sort()).toEqual(['httpStatusCode', 'message', 'name', 'requestId']);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'SignetError', code: 'ERR_SIGNING_FAILED', message: error.message });
    expectNoCredentials(error);
  });

  it('an error that echoes the signed request (as SignatureDoesNotMatch does) shows no credential anywhere', async () => {
    let authorization = '';
    const kms = await standIn({
      keys: { echo: standInKey('ECC_NIST_P256') },
      failWith: (call) => {
        authorization = String(call.headers.authorization);
        const token = String(call.headers['x-amz-security-token']);
        return {
          type: 'InvalidSignatureException',
          // The worst case a server could answer: every credential on the first line, then the canonical request.
          message: `Credential ${CREDENTIALS.accessKeyId} secret ${CREDENTIALS.secretAccessKey} token ${token} auth ${authorization}\nPOST\n/\n\nauthorization:${authorization}\nx-amz-security-token:${token}\n`,
        };
      },
    });
    const key = awsKmsKey({ client: kms.client(), keyId: 'echo', algorithm: 'ES256' });
    const error = await rejection(key.sign(data), 'ERR_SIGNING_FAILED');
    expect(kms.calls[0]?.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    expect(error.cause?.name).toBe('InvalidSignatureException');
    expect(error.cause?.message).toMatch(/^Credential \[redacted\] secret \[redacted\] token \[redacted\]/);
    const signature = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] as string;
    expectNoCredentials(error, [{ name: 'SigV4 signature', value: signature }]);
  });

  it('GetPublicKey failures are scrubbed the same way (publicKeyPem and loadAwsKmsKey)', async () => {
    const kms = await standIn({
      keys: {},
      failWith: () => ({ type: 'AccessDeniedException', message: `User ${CREDENTIALS.accessKeyId} with token ${CREDENTIALS.sessionToken} is not authorized` }),
    });
    const client = kms.client();
    const fromPem = await rejection(awsKmsKey({ client, keyId: 'k', algorithm: 'RS256' }).publicKeyPem(), 'ERR_SIGNING_FAILED');
    const fromLoad = await rejection(loadAwsKmsKey({ client, keyId: 'k' }), 'ERR_SIGNING_FAILED');
    for (const error of [fromPem, fromLoad]) {
      expect(error.cause?.name).toBe('AccessDeniedException');
      expectNoCredentials(error);
    }
  });

  it('publicKeyPem() does not cache a failure: the next call asks KMS again', async () => {
    let failing = true;
    const kms = await standIn({ keys: { k: standInKey('ECC_NIST_P256') }, failWith: () => (failing ? { type: 'KMSInternalException', message: 'try again', status: 500 } : undefined) });
    const key = awsKmsKey({ client: kms.client(), keyId: 'k', algorithm: 'ES256' });
    await rejection(key.publicKeyPem(), 'ERR_SIGNING_FAILED');
    failing = false;
    expect(await key.publicKeyPem()).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });
});

describe('cancellation', () => {
  it('an abort signal cancels a Sign call in flight: ERR_SIGNING_FAILED, cause AbortError, and the abort reason is not kept', async () => {
    const kms = await standIn({ keys: { slow: standInKey('ECC_NIST_P256') }, delayMs: 60_000 });
    const key = awsKmsKey({ client: kms.client(), keyId: 'slow', algorithm: 'ES256' });
    const controller = new AbortController();
    const pending = key.sign(data, { signal: controller.signal });
    // Hang guard only: wait (bounded) for the call to reach the stand-in, then cancel it.
    for (let i = 0; i < 500 && kms.calls.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(kms.calls).toHaveLength(1);
    const reason = 'abort-reason-with-secret-9f3c2a';
    controller.abort(new Error(reason));
    const error = await rejection(pending, 'ERR_SIGNING_FAILED');
    expect(error.cause?.name).toBe('AbortError');
    expectNoCredentials(error, [{ name: 'abort reason', value: reason }]);
  });

  it('an already aborted signal rejects without calling KMS', async () => {
    const kms = await standIn({ keys: { k: standInKey('ECC_NIST_P256') } });
    const key = awsKmsKey({ client: kms.client(), keyId: 'k', algorithm: 'ES256' });
    const error = await rejection(key.sign(data, { signal: AbortSignal.abort() }), 'ERR_SIGNING_FAILED');
    expect(error.cause?.name).toBe('AbortError');
    expect(kms.calls).toHaveLength(0);
  });
});

describe('an algorithm the key cannot sign with', () => {
  it('awsKmsKey: ES256 on an RSA key fails at the first sign() with ERR_KEY_TYPE', async () => {
    const kms = await standIn({ keys: { rsa: standInKey('RSA_2048') } });
    const key = awsKmsKey({ client: kms.client(), keyId: 'rsa', algorithm: 'ES256' });
    const error = await rejection(key.sign(data), 'ERR_KEY_TYPE');
    expect(error.message).toMatch(/cannot sign with ES256 \(ECDSA_SHA_256\)/);
    expect(error.cause?.name).toBe('InvalidKeyUsageException');
  });

  it('loadAwsKmsKey: PS256 on a P-256 key fails at construction with ERR_KEY_TYPE, before any Sign', async () => {
    const kms = await standIn({ keys: { ec: standInKey('ECC_NIST_P256') } });
    const error = await rejection(loadAwsKmsKey({ client: kms.client(), keyId: 'ec', algorithm: 'PS256' }), 'ERR_KEY_TYPE');
    expect(error.message).toMatch(/ECC_NIST_P256\) cannot sign with PS256; it offers ECDSA_SHA_256/);
    expect(kms.calls.map((call) => call.target)).toEqual(['TrentService.GetPublicKey']);
  });

  it('loadAwsKmsKey: a P-521 key (no JWS algorithm here) and an encryption key are refused with ERR_KEY_TYPE', async () => {
    const kms = await standIn({ keys: { p521: standInKey('ECC_NIST_P521'), enc: standInKey('RSA_2048', 'ENCRYPT_DECRYPT') } });
    const client = kms.client();
    expect((await rejection(loadAwsKmsKey({ client, keyId: 'p521' }), 'ERR_KEY_TYPE')).message).toMatch(/ECC_NIST_P521/);
    expect((await rejection(loadAwsKmsKey({ client, keyId: 'enc' }), 'ERR_KEY_TYPE')).message).toMatch(/KeyUsage ENCRYPT_DECRYPT/);
  });
});

describe('options', () => {
  const client = { send: async () => ({}) } as never;

  it.each([
    ['no algorithm, pointing at loadAwsKmsKey', { client, keyId: 'k' }, /loadAwsKmsKey/],
    ['an algorithm KMS cannot sign as JWS needs (EdDSA)', { client, keyId: 'k', algorithm: 'EdDSA' }, /RS256, RS384, RS512, PS256, ES256, ES384/],
    ['an HMAC algorithm', { client, keyId: 'k', algorithm: 'HS256' }, /RS256/],
    ['a misspelled option', { client, keyId: 'k', alg: 'ES256' }, /"algorithm"/],
    ['no client', { keyId: 'k', algorithm: 'ES256' }, /KMSClient/],
    ['an empty keyId', { client, keyId: ' ', algorithm: 'ES256' }, /keyId/],
  ])('awsKmsKey refuses %s with ERR_INVALID_OPTION', (_name, options, message) => {
    let caught: unknown;
    try {
      awsKmsKey(options as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SignetError);
    expect((caught as SignetError).code).toBe('ERR_INVALID_OPTION');
    expect((caught as SignetError).message).toMatch(message);
  });

  it('an option lent by Object.prototype is not read', () => {
    const polluted = Object.create({ algorithm: 'ES256' }) as Record<string, unknown>;
    Object.assign(polluted, { client, keyId: 'k' });
    expect(() => awsKmsKey(polluted as never)).toThrow(/needs algorithm/);
  });

  it('sign() refuses input that is not bytes with ERR_INVALID_REQUEST', async () => {
    const key = awsKmsKey({ client, keyId: 'k', algorithm: 'ES256' });
    await rejection(key.sign('text' as never), 'ERR_INVALID_REQUEST');
  });
});
