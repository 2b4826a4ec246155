import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { requestSigner } from '@signet/core';
import { type Rejection, type RejectedRequest, requestVerifier } from '@signet/verify';
import { API_KEY, BODY, NOW, URL_PATH, clockAt, expectRejected, mint, requestClaims, requestWith, sha256Hex } from './support/tokens.js';
import { testKeys } from '@signet/test-support';

const rsa = testKeys().rsa;
const other = testKeys().rsaOther;

/** A verifier whose refusals are collected as `onReject` sees them. */
function observed(options: Omit<Parameters<typeof requestVerifier>[0], 'onReject' | 'clock'> = { publicKey: rsa.publicKey }) {
  const rejections: Array<{ rejection: Rejection; request: RejectedRequest }> = [];
  const verifier = requestVerifier({ ...options, clock: clockAt(), onReject: (rejection, request) => rejections.push({ rejection, request }) });
  return { verifier, rejections };
}

describe('binding the method and the API key (opt-in beyond the reference scheme)', () => {
  it('bindMethod: true adds the upper-cased method, which jsonwebtoken verifies as part of the token', async () => {
    const signer = requestSigner({ apiKey: API_KEY, privateKey: rsa.privateKey, clock: clockAt(), bindMethod: true });
    const { Authorization } = await signer.sign({ method: 'delete', url: '/v1/orders/42' });
    const claims = jwt.verify((Authorization as string).slice(7), rsa.publicKey, { algorithms: ['RS256'], clockTimestamp: NOW }) as Record<string, unknown>;
    expect(claims).toMatchObject({ method: 'DELETE', uri: '/v1/orders/42', sub: API_KEY });
  });

  it('a token for GET /v1/orders/42 does not serve DELETE /v1/orders/42 when the method is bound', async () => {
    const { verifier } = observed({ publicKey: rsa.publicKey, requireMethod: true });
    const token = mint('RS256', rsa.privateKey, requestClaims({ uri: '/v1/orders/42', bodyHash: sha256Hex('{}'), method: 'GET' }));
    const request = { method: 'DELETE', url: '/v1/orders/42', headers: { authorization: `Bearer ${token}` }, body: new Uint8Array(0) };
    await expectRejected(verifier, request, 'ERR_METHOD_MISMATCH');
    await expect(verifier.verify({ ...request, method: 'GET' })).resolves.toMatchObject({ method: 'GET' });
  });

  it('requireMethod refuses a token that binds no method, and a bound method is checked even without requireMethod', async () => {
    const unbound = mint('RS256', rsa.privateKey, requestClaims());
    await expectRejected(observed({ publicKey: rsa.publicKey, requireMethod: true }).verifier, requestWith(unbound), 'ERR_METHOD_MISMATCH');
    const bound = mint('RS256', rsa.privateKey, requestClaims({ method: 'PUT' }));
    await expectRejected(observed().verifier, requestWith(bound), 'ERR_METHOD_MISMATCH');
  });

  it('apiKeyHeader: a forged X-API-Key that names another API key than the token is ERR_API_KEY_MISMATCH', async () => {
    const { verifier } = observed({ publicKey: rsa.publicKey, apiKeyHeader: 'X-API-Key' });
    const token = mint('RS256', rsa.privateKey, requestClaims());
    const headers = { authorization: `Bearer ${token}` };
    await expectRejected(verifier, requestWith(token, { headers: { ...headers, 'x-api-key': 'ak_someone_else' } }), 'ERR_API_KEY_MISMATCH');
    await expectRejected(verifier, requestWith(token), 'ERR_API_KEY_MISMATCH');
    await expectRejected(verifier, requestWith(token, { headers: { ...headers, 'x-api-key': [API_KEY, API_KEY] } }), 'ERR_API_KEY_MISMATCH');
    await expect(verifier.verify(requestWith(token, { headers: { ...headers, 'X-Api-Key': API_KEY } }))).resolves.toMatchObject({ sub: API_KEY });
  });
});

describe('no API-key enumeration', () => {
  it('an unknown API key and a known one with a bad signature get the same code and message; onReject tells them apart', async () => {
    const keys = new Map([[API_KEY, rsa.publicKey]]);
    const { verifier, rejections } = observed({ keyForApiKey: (sub: string) => keys.get(sub) });
    const unknown = await expectRejected(verifier, requestWith(mint('RS256', rsa.privateKey, requestClaims({ sub: 'ak_nobody' }))), 'ERR_SIGNATURE_INVALID');
    const forged = await expectRejected(verifier, requestWith(mint('RS256', other.privateKey, requestClaims())), 'ERR_SIGNATURE_INVALID');
    expect(unknown.message).toBe(forged.message);
    expect(rejections.map(({ rejection }) => [rejection.code, rejection.publicCode])).toEqual([
      ['ERR_UNKNOWN_KEY', 'ERR_SIGNATURE_INVALID'],
      ['ERR_SIGNATURE_INVALID', 'ERR_SIGNATURE_INVALID'],
    ]);
  });

  it('an unknown API key costs a signature check like a known one: the lookup result is checked against a decoy', async () => {
    const { verifier } = observed({ keyForApiKey: () => undefined, algorithms: ['RS256', 'ES256', 'EdDSA'] });
    for (const [alg, key] of [
      ['RS256', rsa.privateKey],
      ['ES256', testKeys().p256.privateKey],
      ['EdDSA', testKeys().ed25519.privateKey],
    ] as const) {
      await expectRejected(verifier, requestWith(mint(alg, key, requestClaims({ sub: 'ak_nobody' }))), 'ERR_SIGNATURE_INVALID');
    }
  });

  it('a lookup that throws is ERR_KEY_LOOKUP_FAILED, and its error (which may name the database) is not passed on', async () => {
    const { verifier } = observed({ keyForApiKey: () => Promise.reject(new Error('postgres://admin:hunter2@db/keys unreachable')) });
    const error = await expectRejected(verifier, requestWith(mint('RS256', rsa.privateKey, requestClaims())), 'ERR_KEY_LOOKUP_FAILED');
    expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain('hunter2');
  });
});

describe('explaining a refusal to the server, never to the client', () => {
  it('a target mismatch shows the token uri next to the target received, and guesses the cause', async () => {
    const { verifier, rejections } = observed();
    const token = mint('RS256', rsa.privateKey, requestClaims());
    await expectRejected(verifier, requestWith(token, { url: `${URL_PATH}&extra=1` }), 'ERR_URI_MISMATCH');
    const [{ rejection }] = rejections as [(typeof rejections)[number]];
    expect(rejection.explanation).toMatchObject({ check: 'target', target: { token: URL_PATH, received: `${URL_PATH}&extra=1` }, subject: API_KEY, algorithm: 'RS256' });
    expect(rejection.explanation.hint).toMatch(/query differs/);
  });

  it('a body mismatch shows the length and hash received next to the bodyHash claimed', async () => {
    const { verifier, rejections } = observed();
    const token = mint('RS256', rsa.privateKey, requestClaims());
    const received = Buffer.from(`${BODY} `);
    await expectRejected(verifier, requestWith(token, { body: received }), 'ERR_BODY_HASH_MISMATCH');
    expect(rejections[0]?.rejection.explanation).toMatchObject({
      check: 'body',
      body: { receivedBytes: received.length, receivedSha256: sha256Hex(received), tokenBodyHash: sha256Hex(BODY) },
    });
    expect(rejections[0]?.request.bodyBytes).toBe(received.length);
  });

  it("an empty body hashed as '' against a verifier that expects '{}' is named as such", async () => {
    const { verifier, rejections } = observed();
    const token = mint('RS256', rsa.privateKey, requestClaims({ bodyHash: sha256Hex('') }));
    await expectRejected(verifier, requestWith(token, { body: new Uint8Array(0) }), 'ERR_BODY_HASH_MISMATCH');
    expect(rejections[0]?.rejection.explanation.hint).toMatch(/emptyBody/);
  });

  it('a token from the future shows the clock difference', async () => {
    const { verifier, rejections } = observed();
    const token = mint('RS256', rsa.privateKey, requestClaims({ iat: NOW + 42, exp: NOW + 90 }));
    await expectRejected(verifier, requestWith(token), 'ERR_TOKEN_FUTURE');
    expect(rejections[0]?.rejection.explanation).toMatchObject({ check: 'time', time: { now: NOW, iat: NOW + 42, skewSeconds: 42, toleranceSeconds: 5 } });
  });

  it('what onReject receives holds no token, signature or credential header value, at any depth', async () => {
    const { verifier, rejections } = observed({ publicKey: rsa.publicKey, apiKeyHeader: 'X-API-Key' });
    const token = mint('RS256', rsa.privateKey, requestClaims());
    await expectRejected(verifier, requestWith(token, { headers: { authorization: `Bearer ${token}`, 'x-api-key': 'ak_forged_value' } }), 'ERR_API_KEY_MISMATCH');
    const rendered = inspect(rejections, { depth: Infinity, showHidden: true }) + JSON.stringify(rejections);
    for (const part of token.split('.')) expect(rendered).not.toContain(part);
    expect(rendered).not.toContain('ak_forged_value');
    expect(rejections[0]?.request.headers['authorization']).toBe('[REDACTED]');
  });

  it('a throwing onReject hook changes nothing: the request is still refused with its code', async () => {
    const verifier = requestVerifier({
      publicKey: rsa.publicKey,
      clock: clockAt(),
      onReject: () => {
        throw new Error('logger down');
      },
    });
    await expectRejected(verifier, requestWith(mint('RS256', other.privateKey, requestClaims())), 'ERR_SIGNATURE_INVALID');
  });
});
