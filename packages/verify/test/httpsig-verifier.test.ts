import { constants, createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type HttpMessageSignerOptions, type SignableRequest, SignetError, type SignetErrorCode, httpMessageSigner } from '@signet/core';
import { type HttpMessageVerifierOptions, type Rejection, type VerifiableRequest, httpMessageVerifier, memoryReplayStore } from '@signet/verify';

// The verifier against the RFC's own signatures (Appendix B.2 and B.4), then against every way a signed request can
// be altered or replayed. Fixtures are the RFC's test keys (packages/core/test/__fixtures__/rfc9421).

const FIXTURES = fileURLToPath(new URL('../../core/test/__fixtures__/rfc9421/', import.meta.url));
const fixture = (name: string): string => readFileSync(FIXTURES + name, 'utf8');
const vectors = JSON.parse(fixture('appendix-b2.json')) as Record<string, { signatureInput: string; signature: string }>;
const secret = Buffer.from(fixture('test-shared-secret.b64').trim(), 'base64');
const CREATED = 1_618_884_473;
const rfcKeys: HttpMessageVerifierOptions['keys'] = {
  'test-key-rsa-pss': { algorithm: 'rsa-pss-sha512', key: fixture('test-key-rsa-pss.pub.pem') },
  'test-key-ed25519': { algorithm: 'ed25519', key: fixture('test-key-ed25519.pub.pem') },
  'test-shared-secret': { algorithm: 'hmac-sha256', key: secret },
};

/** The RFC's test-request as a server receives it, with one of the RFC's signatures. */
function rfcRequest(label: string): VerifiableRequest {
  const v = vectors[label] as { signatureInput: string; signature: string };
  return {
    method: 'POST',
    url: '/foo?param=Value&Pet=dog',
    headers: {
      host: 'example.com',
      date: 'Tue, 20 Apr 2021 02:07:55 GMT',
      'content-type': 'application/json',
      'content-digest': 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
      'content-length': '18',
      'signature-input': v.signatureInput,
      signature: v.signature,
    },
    body: Buffer.from('{"hello": "world"}'),
  };
}

async function rejection(promise: Promise<unknown>): Promise<SignetError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SignetError);
    return error as SignetError;
  }
  throw new Error('expected a rejection');
}

async function expectCode(promise: Promise<unknown>, code: SignetErrorCode): Promise<void> {
  expect((await rejection(promise)).code).toBe(code);
}

describe('httpMessageVerifier accepts the signatures of RFC 9421 Appendix B.2', () => {
  const lenient = (extra: Partial<HttpMessageVerifierOptions> = {}) => httpMessageVerifier({ keys: rfcKeys, requiredComponents: [], requireContentDigest: false, clock: () => (CREATED + 10) * 1000, ...extra });

  for (const label of ['sig-b21', 'sig-b22', 'sig-b23', 'sig-b25', 'sig-b26']) {
    it(`${label} verifies, with the keyid and created of the RFC`, async () => {
      const claims = await lenient({ label }).verify(rfcRequest(label));
      expect(claims.label).toBe(label);
      expect(claims.iat).toBe(CREATED);
      expect(claims.sub).toBe(/keyid="([^"]+)"/.exec(vectors[label]?.signatureInput ?? '')?.[1]);
    });
  }

  it('B.2.2 and B.2.3 bind the body through the sha-512 Content-Digest: one changed byte is ERR_BODY_HASH_MISMATCH', async () => {
    for (const label of ['sig-b22', 'sig-b23']) {
      const request = rfcRequest(label);
      await expectCode(lenient({ label }).verify({ ...request, body: Buffer.from('{"hello": "World"}') }), 'ERR_BODY_HASH_MISMATCH');
    }
  });

  it('B.2.3 fails once its covered query is altered, and B.2.6 once its covered Date is', async () => {
    await expectCode(lenient({ label: 'sig-b23' }).verify({ ...rfcRequest('sig-b23'), url: '/foo?param=Value&Pet=cat' }), 'ERR_SIGNATURE_INVALID');
    const b26 = rfcRequest('sig-b26');
    await expectCode(lenient({ label: 'sig-b26' }).verify({ ...b26, headers: { ...b26.headers, date: 'Tue, 20 Apr 2021 02:07:56 GMT' } }), 'ERR_SIGNATURE_INVALID');
  });

  it('B.4: the transformations the RFC says keep the signature valid do, and the ones it says break it do', async () => {
    const verifier = httpMessageVerifier({ keys: rfcKeys, requiredComponents: ['@method', '@path', '@authority'], clock: () => CREATED * 1000 });
    const signed = {
      'signature-input': 'transform=("@method" "@path" "@authority" "accept");created=1618884473;keyid="test-key-ed25519"',
      signature: 'transform=:ZT1kooQsEHpZ0I1IjCqtQppOmIqlJPeo7DHR3SoMn0s5JZ1eRGS0A+vyYP9t/LXlh5QMFFQ6cpLt2m0pmj3NDA==:',
    };
    const request = (method: string, url: string, host: string, accept: string | string[]): VerifiableRequest => ({ method, url, headers: { host, accept, ...signed }, body: Buffer.alloc(0) });
    await expect(verifier.verify(request('GET', '/demo?name1=Value1&Name2=value2', 'example.org', ['application/json', '*/*']))).resolves.toMatchObject({ sub: 'test-key-ed25519' });
    await expect(verifier.verify(request('GET', '/demo?name1=Value1&Name2=value2&param=added', 'example.org', 'application/json, */*'))).resolves.toMatchObject({ label: 'transform' });
    await expectCode(verifier.verify(request('POST', '/demo?name1=Value1&Name2=value2', 'example.com', ['application/json', '*/*'])), 'ERR_SIGNATURE_INVALID');
    await expectCode(verifier.verify(request('GET', '/demo?name1=Value1&Name2=value2', 'example.org', ['*/*', 'application/json'])), 'ERR_SIGNATURE_INVALID');
  });
});

// ---- Signet signer → Signet verifier: what an attacker may change, and what the server requires ----

const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const NOW = 1_750_000_000;
const keys: HttpMessageVerifierOptions['keys'] = {
  ed: { algorithm: 'ed25519', key: ed.publicKey },
  rsa: { algorithm: 'rsa-pss-sha512', key: rsa.publicKey },
};
const request: SignableRequest = {
  method: 'POST',
  url: '/v1/payments?dryRun=1',
  origin: 'https://api.example.com',
  body: Buffer.from('{"amount":1250}'),
  headers: { 'Content-Type': 'application/json' },
};

async function signed(options: Partial<HttpMessageSignerOptions> = {}, at = NOW, req: SignableRequest = request): Promise<VerifiableRequest> {
  const signer = httpMessageSigner({ algorithm: 'ed25519', key: ed.privateKey, keyId: 'ed', clock: () => at * 1000, ...options });
  const headers = await signer.sign(req);
  const lower = Object.fromEntries(Object.entries({ ...req.headers, ...headers }).map(([name, value]) => [name.toLowerCase(), value]));
  return { method: req.method, url: req.url, headers: { host: 'api.example.com', ...lower }, body: Buffer.from(req.body ?? []) };
}

const verifier = (options: Partial<HttpMessageVerifierOptions> = {}) => httpMessageVerifier({ keys, clock: () => NOW * 1000, ...options });

describe('httpMessageVerifier refuses what was not signed', () => {
  it('accepts the default signature: method, authority, path, query, content-digest and content-type covered', async () => {
    const claims = await verifier().verify(await signed());
    expect(claims.components).toEqual(['"@method"', '"@authority"', '"@path"', '"@query"', '"content-digest"', '"content-type"']);
    expect(claims).toMatchObject({ sub: 'ed', iat: NOW, label: 'sig1' });
  });

  it('a changed path, query, method or host is ERR_SIGNATURE_INVALID', async () => {
    const good = await signed();
    for (const altered of [{ url: '/v1/payments?dryRun=0' }, { url: '/v1/refunds?dryRun=1' }, { method: 'PUT' }, { headers: { ...good.headers, host: 'evil.example.com' } }]) {
      await expectCode(verifier().verify({ ...good, ...altered }), 'ERR_SIGNATURE_INVALID');
    }
  });

  it('with origin set, @authority is the configured origin, not what the Host header claims', async () => {
    const good = await signed({ components: ['@method', '@target-uri', 'content-digest'] });
    await expect(verifier({ origin: 'https://api.example.com', requiredComponents: ['@method', '@target-uri'] }).verify({ ...good, headers: { ...good.headers, host: 'internal:8080' } })).resolves.toBeTruthy();
    await expectCode(verifier({ origin: 'https://other.example.com' }).verify(good), 'ERR_SIGNATURE_INVALID');
  });

  it('a changed body is ERR_BODY_HASH_MISMATCH, and so is a Content-Digest rewritten to match it', async () => {
    const good = await signed();
    await expectCode(verifier().verify({ ...good, body: Buffer.from('{"amount":9999}') }), 'ERR_BODY_HASH_MISMATCH');
    const other = (await signed({}, NOW, { ...request, body: Buffer.from('{"amount":9999}') })).headers['content-digest'];
    await expectCode(verifier().verify({ ...good, body: Buffer.from('{"amount":9999}'), headers: { ...good.headers, 'content-digest': other } }), 'ERR_SIGNATURE_INVALID');
  });

  it('a body on a request whose signature does not cover content-digest is ERR_SIGNATURE_COVERAGE', async () => {
    const bodiless = await signed({}, NOW, { ...request, method: 'GET', body: undefined });
    await expect(verifier().verify(bodiless)).resolves.toBeTruthy();
    await expectCode(verifier().verify({ ...bodiless, body: Buffer.from('smuggled') }), 'ERR_SIGNATURE_COVERAGE');
  });

  it('a signature that leaves out a required component is ERR_SIGNATURE_COVERAGE; @target-uri stands for authority, path and query', async () => {
    await expectCode(verifier().verify(await signed({ components: ['@method', '@path', 'content-digest'] })), 'ERR_SIGNATURE_COVERAGE');
    await expect(verifier({ origin: 'https://api.example.com' }).verify(await signed({ components: ['@method', '@target-uri', 'content-digest'] }))).resolves.toBeTruthy();
  });

  it('too old, from the future, or expired is refused; within the window it passes', async () => {
    await expectCode(verifier().verify(await signed({}, NOW - 306)), 'ERR_TOKEN_EXPIRED');
    await expectCode(verifier().verify(await signed({}, NOW + 6)), 'ERR_TOKEN_FUTURE');
    await expectCode(verifier().verify(await signed({ expiresInSeconds: 10 }, NOW - 16)), 'ERR_TOKEN_EXPIRED');
    await expect(verifier().verify(await signed({}, NOW - 295))).resolves.toBeTruthy();
  });

  it('an unknown keyid is answered as a bad signature (no key enumeration); onReject hears ERR_UNKNOWN_KEY', async () => {
    const heard: Rejection[] = [];
    await expectCode(verifier({ onReject: (r) => heard.push(r) }).verify(await signed({ keyId: 'nobody' })), 'ERR_SIGNATURE_INVALID');
    expect(heard[0]?.code).toBe('ERR_UNKNOWN_KEY');
  });

  it('the algorithm is the server\'s: an "alg" parameter naming another is refused, and so is an HMAC over the public key', async () => {
    await expectCode(
      verifier().verify(
        await signed({ includeAlg: true, algorithm: 'ed25519' }).then((r) => ({ ...r, headers: { ...r.headers, 'signature-input': String(r.headers['signature-input']).replace('ed25519', 'hmac-sha256') } })),
      ),
      'ERR_ALGORITHM_NOT_ALLOWED',
    );
    // Key confusion: an attacker HMACs with the server's RSA public key as the secret and claims alg="hmac-sha256".
    const forged = await signed({ keyId: 'rsa', components: ['@method', '@authority', '@path', '@query', 'content-digest'] });
    const input = String(forged.headers['signature-input']).replace(';keyid="rsa"', ';keyid="rsa";alg="hmac-sha256"');
    const base = `"@method": POST\n"@authority": api.example.com\n"@path": /v1/payments\n"@query": ?dryRun=1\n"content-digest": ${String(forged.headers['content-digest'])}\n"@signature-params": ${input.slice(5)}`;
    const mac = createHmac('sha256', rsa.publicKey.export({ type: 'spki', format: 'pem' }))
      .update(base)
      .digest('base64');
    await expectCode(verifier().verify({ ...forged, headers: { ...forged.headers, 'signature-input': input, signature: `sig1=:${mac}:` } }), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it("rsa-pss-sha512: the RFC's 64-byte salt and the maximum salt verify; a 32-byte salt does not", async () => {
    const good = await signed({ algorithm: 'rsa-pss-sha512', key: rsa.privateKey, keyId: 'rsa' });
    await expect(verifier().verify(good)).resolves.toBeTruthy();
    const input = String(good.headers['signature-input']).slice(5);
    const base = `"@method": POST\n"@authority": api.example.com\n"@path": /v1/payments\n"@query": ?dryRun=1\n"content-digest": ${String(good.headers['content-digest'])}\n"content-type": application/json\n"@signature-params": ${input}`;
    for (const [saltLength, ok] of [
      [190, true],
      [32, false],
    ] as const) {
      const sig = cryptoSign('sha512', Buffer.from(base), { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }).toString('base64');
      const attempt = verifier().verify({ ...good, headers: { ...good.headers, signature: `sig1=:${sig}:` } });
      if (ok) await expect(attempt).resolves.toBeTruthy();
      else await expectCode(attempt, 'ERR_SIGNATURE_INVALID');
    }
  });

  it('with a replay store, a signature is accepted once, and one without a nonce is ERR_NONCE_REQUIRED', async () => {
    const replay = memoryReplayStore();
    const once = await signed({ nonce: true });
    await expect(verifier({ replay }).verify(once)).resolves.toMatchObject({ nonce: expect.any(String) });
    await expectCode(verifier({ replay }).verify(once), 'ERR_TOKEN_REPLAYED');
    await expect(verifier({ replay }).verify(await signed({ nonce: true }))).resolves.toBeTruthy();
    await expectCode(verifier({ replay }).verify(await signed()), 'ERR_NONCE_REQUIRED');
  });

  it('required parameters and tag are enforced; the label chooses among several signatures', async () => {
    await expectCode(verifier({ requiredParameters: ['nonce'] }).verify(await signed()), 'ERR_CLAIM_INVALID');
    await expectCode(verifier({ tag: 'payments' }).verify(await signed({ tag: 'other' })), 'ERR_CLAIM_INVALID');
    const a = await signed({ label: 'first' });
    const b = await signed({ label: 'second', algorithm: 'rsa-pss-sha512', key: rsa.privateKey, keyId: 'rsa' });
    const both = {
      ...a,
      headers: { ...a.headers, 'signature-input': `${String(a.headers['signature-input'])}, ${String(b.headers['signature-input'])}`, signature: `${String(a.headers['signature'])}, ${String(b.headers['signature'])}` },
    };
    await expect(verifier({ label: 'second' }).verify(both)).resolves.toMatchObject({ sub: 'rsa', label: 'second' });
    await expect(verifier().verify(both)).resolves.toMatchObject({ sub: 'ed', label: 'first' });
  });

  it('missing or malformed Signature fields are refused with a code, never a crash', async () => {
    const good = await signed();
    await expectCode(verifier().verify({ ...good, headers: { host: 'api.example.com' } }), 'ERR_TOKEN_MISSING');
    await expectCode(verifier().verify({ ...good, headers: { ...good.headers, 'signature-input': 'sig1=("@method"' } }), 'ERR_CLAIM_INVALID');
    await expectCode(verifier().verify({ ...good, headers: { ...good.headers, signature: 'sig1="not bytes"' } }), 'ERR_TOKEN_MISSING');
    await expectCode(verifier().verify({ ...good, headers: { ...good.headers, 'signature-input': String(good.headers['signature-input']).replace(/;created=\d+/, '') } }), 'ERR_CLAIM_INVALID');
  });
});
