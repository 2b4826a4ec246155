import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { type Hash, ecdsaSignDigest, rsaPkcs1SignDigest, rsaPssSignDigest } from './digest-signers.js';

// A local stand-in for AWS KMS's JSON 1.1 protocol (POST /, X-Amz-Target: TrentService.<Operation>), for the two
// operations the package calls: Sign (MessageType DIGEST only: the package promises never to send the message) and
// GetPublicKey. It signs with real keys made here, and refuses what KMS refuses: unknown keys (NotFoundException),
// an algorithm the key spec does not offer (InvalidKeyUsageException), a digest of the wrong size, and any request
// that is not SigV4-signed (the signature itself is not checked: the stand-in does not know the secret).

export const CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIASTANDIN7EXAMPLE0',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYstandinSECRET',
  sessionToken: 'IQoJb3JpZ2luX2VjEKr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDstandinSESSIONtokenAAAAAAAAAAAAAAAAAAAA',
});

export type KeySpec = 'RSA_2048' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'HMAC_256';

export interface StandInKey {
  keySpec: KeySpec;
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyUsage: 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT';
}

const RSA_ALGORITHMS = ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'];
const SIGNING_ALGORITHMS: Readonly<Record<KeySpec, readonly string[]>> = {
  RSA_2048: RSA_ALGORITHMS,
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  ECC_NIST_P521: ['ECDSA_SHA_512'],
  HMAC_256: [],
};

const made = new Map<KeySpec, StandInKey>();

/** A key of `keySpec`, made once per test file (RSA generation is the slow part). */
export function standInKey(keySpec: KeySpec, keyUsage: StandInKey['keyUsage'] = 'SIGN_VERIFY'): StandInKey {
  let key = made.get(keySpec);
  if (key === undefined) {
    const pair =
      keySpec === 'RSA_2048'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: keySpec === 'ECC_NIST_P256' ? 'prime256v1' : keySpec === 'ECC_NIST_P384' ? 'secp384r1' : 'secp521r1' });
    key = { keySpec, keyUsage: 'SIGN_VERIFY', ...pair };
    made.set(keySpec, key);
  }
  return { ...key, keyUsage };
}

export interface RecordedCall {
  target: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface StandInOptions {
  /** Key id (or alias) → key. */
  keys: Record<string, StandInKey>;
  /** Milliseconds to wait before answering each call. @default 0 */
  delayMs?: number;
  /** Answers a call with this error instead (type, message, status), e.g. to echo credentials back. */
  failWith?: (call: RecordedCall) => { type: string; message: string; status?: number } | undefined;
}

export interface KmsStandIn {
  endpoint: string;
  calls: RecordedCall[];
  /** A real KMSClient pointed at the stand-in, with static fake credentials. */
  client(): KMSClient;
  close(): Promise<void>;
}

const HASH_OF: Readonly<Record<string, Hash>> = { SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512' };
const DIGEST_BYTES: Readonly<Record<Hash, number>> = { sha256: 32, sha384: 48, sha512: 64 };

export async function startKmsStandIn(options: StandInOptions): Promise<KmsStandIn> {
  const calls: RecordedCall[] = [];
  const clients: KMSClient[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return fail(response, 400, 'SerializationException', 'The request body is not JSON.');
      }
      // Recorded on arrival, before any delay: a test can wait for the call to be in flight, then cancel it.
      const call = { target, headers: request.headers, body };
      calls.push(call);
      const answer = (): void => {
        if (request.method !== 'POST' || request.url !== '/') return fail(response, 404, 'UnknownOperationException', 'POST / only.');
        if (request.headers['content-type'] !== 'application/x-amz-json-1.1') return fail(response, 400, 'SerializationException', 'Content-Type must be application/x-amz-json-1.1.');
        if (!/^AWS4-HMAC-SHA256 Credential=\S+, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/.test(String(request.headers.authorization ?? ''))) {
          return fail(response, 400, 'MissingAuthenticationTokenException', 'The request is not SigV4-signed.');
        }
        const failure = options.failWith?.(call);
        if (failure !== undefined) return fail(response, failure.status ?? 400, failure.type, failure.message);
        const key = typeof body['KeyId'] === 'string' ? options.keys[body['KeyId']] : undefined;
        if (key === undefined) return fail(response, 400, 'NotFoundException', `Key '${String(body['KeyId'])}' does not exist`);
        if (target === 'TrentService.GetPublicKey') return ok(response, getPublicKey(String(body['KeyId']), key));
        if (target === 'TrentService.Sign') return sign(response, String(body['KeyId']), key, body);
        return fail(response, 400, 'UnknownOperationException', `Unknown operation ${target}.`);
      };
      if (options.delayMs === undefined) answer();
      else setTimeout(answer, options.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    calls,
    client() {
      const client = new KMSClient({ endpoint, region: 'us-east-1', credentials: { ...CREDENTIALS }, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function getPublicKey(keyId: string, key: StandInKey): Record<string, unknown> {
  return {
    KeyId: arn(keyId),
    PublicKey: key.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    SigningAlgorithms: key.keyUsage === 'SIGN_VERIFY' ? SIGNING_ALGORITHMS[key.keySpec] : undefined,
  };
}

function sign(response: ServerResponse, keyId: string, key: StandInKey, body: Record<string, unknown>): void {
  const algorithm = String(body['SigningAlgorithm']);
  if (key.keyUsage !== 'SIGN_VERIFY' || !SIGNING_ALGORITHMS[key.keySpec].includes(algorithm)) {
    return fail(response, 400, 'InvalidKeyUsageException', `You cannot use ${algorithm} with this key.`);
  }
  if (body['MessageType'] !== 'DIGEST') return fail(response, 400, 'ValidationException', 'This stand-in signs MessageType DIGEST only.');
  const hash = HASH_OF[algorithm.slice(-7)] as Hash;
  const digest = Buffer.from(String(body['Message']), 'base64');
  if (digest.length !== DIGEST_BYTES[hash]) return fail(response, 400, 'ValidationException', `Digest is not ${DIGEST_BYTES[hash]} bytes.`);
  const signature = algorithm.startsWith('RSASSA_PKCS1')
    ? rsaPkcs1SignDigest(key.privateKey, hash, digest)
    : algorithm.startsWith('RSASSA_PSS')
      ? rsaPssSignDigest(key.privateKey, hash, digest)
      : ecdsaSignDigest(key.privateKey, digest);
  ok(response, { KeyId: arn(keyId), Signature: signature.toString('base64'), SigningAlgorithm: algorithm });
}

function arn(keyId: string): string {
  return `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
}

function ok(response: ServerResponse, body: Record<string, unknown>): void {
  send(response, 200, body);
}

function fail(response: ServerResponse, status: number, type: string, message: string): void {
  send(response, status, { __type: type, message });
}

function send(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
  response.end(JSON.stringify(body));
}
