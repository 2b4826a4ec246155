import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portOneSigner, requestSigner, twoCheckoutSigner } from '@signet/core';
import type { SignetError, SignetErrorCode } from '@signet/core';
import { memoryReplayStore, portOneVerifier, redisReplayStore, requestVerifier, twoCheckoutVerifier } from '@signet/verify';
import type { ReplayStore, VerifiableRequest, Verifier } from '@signet/verify';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { expectCode, expectRejectedWith, thrown } from './support/rejections.js';
import { testKeys } from '@signet/test-support';

const T0 = Date.UTC(2025, 0, 1);
const atT0 = (): number => T0;
const oneSecondLater = (): number => T0 + 1_000;

const { privateKey, publicKey } = testKeys().rsa;
const API_KEY = 'api-key-1';
const URL_PATH = '/v1/payments?dryRun=1';
const BODY = new TextEncoder().encode('{"amount":1000,"currency":"KRW"}');
const BODY_HASH = createHash('sha256').update(BODY).digest('hex');
const CLIENT_KEY = 'SglffyyZgojEdXWL';
const PORTONE_SECRET = 'portone-secret-key-for-tests';
const MERCHANT = 'MERCH_CODE';
const SECRET_WORD = 'buy-link-secret-word';

let server: RedisServer;
let redis: ReturnType<typeof createClient>;
let prefixes = 0;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createClient({ url: server.url });
  redis.on('error', () => undefined);
  await redis.connect();
});

afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

/** The token with one byte of its payload changed and its genuine signature kept. */
function forged(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  claims['forged'] = true;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

interface Scheme {
  name: string;
  verifier(replay: ReplayStore, clock?: () => number): Verifier;
  /** A request signed at `clock` (default T0). */
  signed(clock?: () => number): Promise<VerifiableRequest>;
  /** The same request with the token's payload altered but its signature kept. */
  forge(request: VerifiableRequest): VerifiableRequest;
  /** Verifies a variant of `request` that fails a check made after the signature, on a verifier sharing `replay`. */
  failAfterSignature(replay: ReplayStore, request: VerifiableRequest): Promise<unknown>;
  failCode: SignetErrorCode;
}

const requestScheme: Scheme = {
  name: 'requestVerifier',
  verifier: (replay, clock = atT0) => requestVerifier({ publicKey, replay, clock }),
  // With a replay store every token must carry a unique nonce (or jti): the store keys it by (sub, nonce).
  async signed(clock = atT0) {
    const headers = await requestSigner({ apiKey: API_KEY, privateKey, clock, nonce: true }).sign({ method: 'POST', url: URL_PATH, body: BODY });
    return { method: 'POST', url: URL_PATH, headers, body: BODY };
  },
  forge: (request) => ({ ...request, headers: { Authorization: `Bearer ${forged(String(request.headers['Authorization']).slice(7))}` } }),
  failAfterSignature: (replay, request) => requestScheme.verifier(replay).verify({ ...request, body: new TextEncoder().encode('{"amount":9999,"currency":"KRW"}') }),
  failCode: 'ERR_BODY_HASH_MISMATCH',
};

const stores: { name: string; create: (clock?: () => number) => ReplayStore }[] = [
  { name: 'memory store', create: (clock = Date.now) => memoryReplayStore({ clock }) },
  // Redis keeps time itself: its TTLs run on the server's clock.
  { name: 'Redis store', create: () => redisReplayStore({ client: redis, prefix: `verifiers-${(prefixes += 1)}:` }) },
];

describe.each(stores)('with the $name', ({ create }) => {
  describe.each([requestScheme])('$name', (scheme) => {
    it('accepts a request once and refuses the same request again with ERR_TOKEN_REPLAYED', async () => {
      const verifier = scheme.verifier(create());
      const request = await scheme.signed();
      await expect(verifier.verify(request)).resolves.toMatchObject({ iat: T0 / 1000 });
      await expectRejectedWith(verifier.verify(request), 'ERR_TOKEN_REPLAYED');
      await expectRejectedWith(verifier.verify(request), 'ERR_TOKEN_REPLAYED');
    });

    it('accepts a fresh token for the same request after the first was used', async () => {
      const verifier = scheme.verifier(create());
      const first = await scheme.signed();
      const second = await scheme.signed(oneSecondLater);
      expect(second.headers).not.toEqual(first.headers);
      await verifier.verify(first);
      await expect(verifier.verify(second)).resolves.toMatchObject({ iat: T0 / 1000 + 1 });
      await expectRejectedWith(verifier.verify(second), 'ERR_TOKEN_REPLAYED');
    });

    it('does not consume the token when a check after the signature fails', async () => {
      const replay = create();
      const request = await scheme.signed();
      await expectRejectedWith(scheme.failAfterSignature(replay, request), scheme.failCode);
      await expectRejectedWith(scheme.failAfterSignature(replay, request), scheme.failCode);
      await expect(scheme.verifier(replay).verify(request)).resolves.toBeDefined();
      await expectRejectedWith(scheme.verifier(replay).verify(request), 'ERR_TOKEN_REPLAYED');
    });

    it('does not let a forged token that carries a genuine signature consume the genuine token', async () => {
      const replay = create();
      const verifier = scheme.verifier(replay);
      const request = await scheme.signed();
      await expectRejectedWith(verifier.verify(scheme.forge(request)), 'ERR_SIGNATURE_INVALID');
      await expect(verifier.verify(request)).resolves.toBeDefined();
      await expectRejectedWith(verifier.verify(request), 'ERR_TOKEN_REPLAYED');
    });

    it('refuses the 49 other copies when 50 copies of one token arrive at once', async () => {
      const verifier = scheme.verifier(create());
      const request = await scheme.signed();
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => verifier.verify(request)));
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const codes = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as SignetError).code] : []));
      expect(codes).toEqual(Array.from({ length: 49 }, () => 'ERR_TOKEN_REPLAYED'));
    });
  });

  describe.each([
    {
      name: 'portOneVerifier',
      create: (replay?: ReplayStore): Verifier => portOneVerifier({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock: atT0, ...(replay === undefined ? {} : { replay }) }),
      async signed(): Promise<VerifiableRequest> {
        const headers = await portOneSigner({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock: atT0 }).sign({ method: 'GET', url: '/api/transaction/o-1/status' });
        return { method: 'GET', url: '/api/transaction/o-1/status', headers, body: new Uint8Array(0) };
      },
    },
    {
      name: 'twoCheckoutVerifier',
      create: (replay?: ReplayStore): Verifier => twoCheckoutVerifier({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock: atT0, ...(replay === undefined ? {} : { replay }) }),
      async signed(): Promise<VerifiableRequest> {
        const headers = await twoCheckoutSigner({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock: atT0 }).sign({ method: 'POST', url: '/rest/6.0/orders/' });
        return { method: 'POST', url: '/rest/6.0/orders/', headers, body: new Uint8Array(0) };
      },
    },
  ])('$name, whose tokens are reusable within their lifetime', (scheme) => {
    it('refuses a replay store at construction with ERR_INVALID_OPTION', () => {
      // A store would refuse every request but the first of a token that legitimate clients send many times.
      const error = thrown(() => scheme.create(create()));
      expectCode(error, 'ERR_INVALID_OPTION');
      expect((error as SignetError).message).toContain('replay');
    });

    it('accepts the same token for many requests without a store, as the scheme documents', async () => {
      const verifier = scheme.create();
      const request = await scheme.signed();
      await expect(verifier.verify(request)).resolves.toMatchObject({ iat: T0 / 1000 });
      await expect(verifier.verify(request)).resolves.toMatchObject({ iat: T0 / 1000 });
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => verifier.verify(request)));
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(10);
    });
  });

  describe('requestVerifier with nonce and jti claims', () => {
    const signedOnce = (): Promise<VerifiableRequest> => requestScheme.signed();

    /** A requestVerifier-scheme token crafted with jsonwebtoken. */
    function crafted(claims: Record<string, unknown>, iat = T0 / 1000): VerifiableRequest {
      const token = jwt.sign({ uri: URL_PATH, iat, exp: iat + 55, sub: API_KEY, bodyHash: BODY_HASH, ...claims }, privateKey, { algorithm: 'RS256' });
      return { method: 'POST', url: URL_PATH, headers: { authorization: `Bearer ${token}` }, body: BODY };
    }

    it('accepts tokens from requestSigner with nonce: true once each', async () => {
      const verifier = requestScheme.verifier(create());
      const signer = requestSigner({ apiKey: API_KEY, privateKey, clock: atT0, nonce: true });
      const sign = async (): Promise<VerifiableRequest> => ({
        method: 'POST',
        url: URL_PATH,
        headers: await signer.sign({ method: 'POST', url: URL_PATH, body: BODY }),
        body: BODY,
      });
      const first = await sign();
      const second = await sign();
      expect(second.headers).not.toEqual(first.headers);
      await verifier.verify(first);
      await expect(verifier.verify(second)).resolves.toMatchObject({ sub: API_KEY });
      await expectRejectedWith(verifier.verify(first), 'ERR_TOKEN_REPLAYED');
      await expectRejectedWith(verifier.verify(second), 'ERR_TOKEN_REPLAYED');
      await expect(verifier.verify(await signedOnce())).resolves.toBeDefined();
    });

    it.each([
      ['neither nonce nor jti', {}],
      ['an empty nonce', { nonce: '' }],
      ['a numeric nonce', { nonce: 42 }],
      ['a jti of 257 characters', { jti: 'j'.repeat(257) }],
    ])('refuses a token with %s with ERR_NONCE_REQUIRED, every time, and records nothing', async (_name, claims) => {
      const store = create();
      const claimed: string[] = [];
      const replay: ReplayStore = { claim: (id, ttl, scope) => (claimed.push(id), store.claim(id, ttl, scope)) };
      const verifier = requestScheme.verifier(replay);
      const request = crafted(claims);
      await expectRejectedWith(verifier.verify(request), 'ERR_NONCE_REQUIRED');
      // Not "accepted once": the second send is refused for the same reason, never taken as fresh.
      await expectRejectedWith(verifier.verify(request), 'ERR_NONCE_REQUIRED');
      expect(claimed).toEqual([]);
      await expect(verifier.verify(crafted({ ...claims, nonce: 'nonce-ok', jti: undefined }))).resolves.toMatchObject({ nonce: 'nonce-ok' });
      expect(claimed).toHaveLength(1);
    });

    it('refuses a token from requestSigner without nonce: true with ERR_NONCE_REQUIRED, and accepts it without a store', async () => {
      const headers = await requestSigner({ apiKey: API_KEY, privateKey, clock: atT0 }).sign({ method: 'POST', url: URL_PATH, body: BODY });
      const request: VerifiableRequest = { method: 'POST', url: URL_PATH, headers, body: BODY };
      await expectRejectedWith(requestScheme.verifier(create()).verify(request), 'ERR_NONCE_REQUIRED');
      await expect(requestVerifier({ publicKey, clock: atT0 }).verify(request)).resolves.toMatchObject({ sub: API_KEY });
    });

    it('keys a token with a nonce by its nonce: another token with the same nonce and sub is a replay', async () => {
      const verifier = requestScheme.verifier(create());
      const first = crafted({ nonce: 'nonce-1' });
      const second = crafted({ nonce: 'nonce-1' }, T0 / 1000 + 1);
      expect(second.headers).not.toEqual(first.headers);
      await expect(verifier.verify(first)).resolves.toMatchObject({ nonce: 'nonce-1' });
      await expectRejectedWith(verifier.verify(second), 'ERR_TOKEN_REPLAYED');
      await expect(verifier.verify(crafted({ nonce: 'nonce-2' }, T0 / 1000 + 1))).resolves.toMatchObject({ nonce: 'nonce-2' });
    });

    it('keys a nonce per subject: the same nonce under another sub is not a replay', async () => {
      const verifier = requestScheme.verifier(create());
      await verifier.verify(crafted({ nonce: 'nonce-1' }));
      await expect(verifier.verify(crafted({ nonce: 'nonce-1', sub: 'api-key-2' }))).resolves.toMatchObject({ sub: 'api-key-2' });
      await expectRejectedWith(verifier.verify(crafted({ nonce: 'nonce-1', sub: 'api-key-2' }, T0 / 1000 + 2)), 'ERR_TOKEN_REPLAYED');
    });

    it('keys a token with a jti by its jti', async () => {
      const verifier = requestScheme.verifier(create());
      await verifier.verify(crafted({ jti: 'jti-1' }));
      await expectRejectedWith(verifier.verify(crafted({ jti: 'jti-1' }, T0 / 1000 + 1)), 'ERR_TOKEN_REPLAYED');
      await expect(verifier.verify(crafted({ jti: 'jti-2' }, T0 / 1000 + 1))).resolves.toMatchObject({ jti: 'jti-2' });
    });

    it("never lets one subject's nonce stand for another subject's, whatever the sub and nonce contain", async () => {
      const verifier = requestScheme.verifier(create());
      // Different (sub, nonce) pairs whose naive "sub:nonce:value" joins are the same string.
      await verifier.verify(crafted({ sub: 'tenant', nonce: 'x:nonce:n-1' }));
      await expect(verifier.verify(crafted({ sub: 'tenant:nonce:x', nonce: 'n-1' }))).resolves.toMatchObject({ sub: 'tenant:nonce:x' });
    });
  });

  it('remembers a requestVerifier token for its lifetime plus tolerance, so it is never accepted twice', async () => {
    let now = T0;
    const clock = (): number => now;
    const replay = create(clock);
    const verifier = requestScheme.verifier(replay, clock);
    const request = await requestScheme.signed();
    await verifier.verify(request);
    // exp = T0 + 55 s, tolerance 5 s: the token is still in time until T0 + 60 s.
    for (const seconds of [30, 55, 59]) {
      now = T0 + seconds * 1000;
      await expectRejectedWith(verifier.verify(request), 'ERR_TOKEN_REPLAYED');
    }
    now = T0 + 60_000;
    await expectRejectedWith(verifier.verify(request), 'ERR_TOKEN_EXPIRED');
  });
});
