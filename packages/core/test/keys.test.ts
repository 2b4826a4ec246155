import { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requestSigner } from '@signet/core';
import type { PrivateKeyInput } from '@signet/core';
import { bearerToken, pemBegin, pemLabel, sha256Hex, thrownSignetError, verifyToken } from './helpers.js';
import { PASSPHRASE, refusedKeyCases, withOpenssl } from './key-cases.js';
import { testKeys } from '@signet/test-support';

const rsa = testKeys().rsa;
const big = generateKeyPairSync('rsa', { modulusLength: 4096 });
const spki = (key: KeyObject) => String(key.export({ type: 'spki', format: 'pem' }));

const pkcs8Pem = String(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
const pkcs1Pem = String(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }));
const encPkcs8 = String(rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }));
const encPkcs1 = String(rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }));
const derPkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'der' });
const derPkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'der' });

async function signsVerifiably(privateKey: PrivateKeyInput, publicKeyPem: string, passphrase?: string | Buffer) {
  const signer = requestSigner({ apiKey: 'key-test', privateKey, ...(passphrase === undefined ? {} : { passphrase }) });
  const body = Buffer.from('{"k":1}');
  const { header, payload } = verifyToken(bearerToken(await signer.sign({ method: 'POST', url: '/v1/keys?x=1', body })), publicKeyPem);
  expect(header.alg).toBe('RS256');
  expect(payload.uri).toBe('/v1/keys?x=1');
  expect(payload.sub).toBe('key-test');
  expect(payload['bodyHash']).toBe(sha256Hex(body));
}

describe('accepted private keys sign tokens that verify with the matching public key', () => {
  it('accepts a PKCS#8 PEM string', async () => {
    expect(pemLabel(pkcs8Pem)).toBe('PRIVATE KEY');
    await signsVerifiably(pkcs8Pem, spki(rsa.publicKey));
  });

  it('accepts a PKCS#8 PEM Buffer', async () => {
    await signsVerifiably(Buffer.from(pkcs8Pem, 'utf8'), spki(rsa.publicKey));
  });

  it('accepts a PKCS#1 PEM (an "RSA PRIVATE KEY" block)', async () => {
    expect(pemLabel(pkcs1Pem)).toBe('RSA PRIVATE KEY');
    await signsVerifiably(pkcs1Pem, spki(rsa.publicKey));
  });

  it('accepts an encrypted PKCS#8 PEM with a string passphrase', async () => {
    expect(pemLabel(encPkcs8)).toBe('ENCRYPTED PRIVATE KEY');
    await signsVerifiably(encPkcs8, spki(rsa.publicKey), PASSPHRASE);
  });

  it('accepts an encrypted PKCS#8 PEM with a Buffer passphrase', async () => {
    await signsVerifiably(encPkcs8, spki(rsa.publicKey), Buffer.from(PASSPHRASE, 'utf8'));
  });

  it('accepts an encrypted traditional PKCS#1 PEM (Proc-Type, DEK-Info) with its passphrase', async () => {
    expect(pemLabel(encPkcs1)).toBe('RSA PRIVATE KEY');
    expect(encPkcs1).toMatch(/^-----[^\n]+\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,/);
    await signsVerifiably(encPkcs1, spki(rsa.publicKey), PASSPHRASE);
    await signsVerifiably(encPkcs1, spki(rsa.publicKey), Buffer.from(PASSPHRASE, 'utf8'));
  });

  it('accepts an encrypted traditional PKCS#1 PEM made by the openssl CLI', async () => {
    const [keyPem = ''] = withOpenssl((dir) => ['genrsa', '-traditional', '-aes256', '-passout', `pass:${PASSPHRASE}`, '-out', `${dir}/key.pem`, '2048'], ['key.pem']);
    expect(pemLabel(keyPem)).toBe('RSA PRIVATE KEY');
    expect(keyPem).toMatch(/^-----[^\n]+\nProc-Type: 4,ENCRYPTED\nDEK-Info: /);
    const publicPem = spki(createPublicKey(createPrivateKey({ key: keyPem, passphrase: PASSPHRASE })));
    await signsVerifiably(keyPem, publicPem, PASSPHRASE);
  });

  it('accepts a DER PKCS#8 Buffer', async () => {
    expect(derPkcs8[0]).toBe(0x30);
    await signsVerifiably(derPkcs8, spki(rsa.publicKey));
  });

  it('accepts a DER PKCS#1 Buffer', async () => {
    expect(derPkcs1[0]).toBe(0x30);
    await signsVerifiably(derPkcs1, spki(rsa.publicKey));
  });

  it('accepts a private KeyObject', async () => {
    await signsVerifiably(rsa.privateKey, spki(rsa.publicKey));
  });

  it('accepts a 4096-bit key', async () => {
    await signsVerifiably(String(big.privateKey.export({ type: 'pkcs8', format: 'pem' })), spki(big.publicKey));
    await signsVerifiably(big.privateKey, spki(big.publicKey));
  });

  it('does not verify with the public key of another pair', async () => {
    const signer = requestSigner({ apiKey: 'key-test', privateKey: pkcs8Pem });
    const token = bearerToken(await signer.sign({ method: 'GET', url: '/' }));
    expect(() => verifyToken(token, spki(big.publicKey))).toThrow(/invalid signature/);
  });
});

describe('refused private keys throw at construction', () => {
  it.each(refusedKeyCases().map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    thrownSignetError(
      () =>
        requestSigner({
          apiKey: 'key-test',
          privateKey: c.privateKey as PrivateKeyInput,
          ...(c.passphrase === undefined ? {} : { passphrase: c.passphrase }),
        }),
      c.code,
    );
  });

  it('refuses a passphrase that is neither a string nor a Buffer', () => {
    thrownSignetError(() => requestSigner({ apiKey: 'k', privateKey: encPkcs8, passphrase: 42 as unknown as string }), 'ERR_INVALID_OPTION');
  });
});

describe('the key is parsed once, at construction', () => {
  it('keeps signing after the PEM Buffer it was given is zeroed', async () => {
    const input = Buffer.from(pkcs8Pem, 'utf8');
    const signer = requestSigner({ apiKey: 'key-test', privateKey: input });
    input.fill(0);
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => signer.sign({ method: 'GET', url: `/v1/n/${i}` })));
    tokens.forEach((headers, i) => {
      expect(verifyToken(bearerToken(headers), spki(rsa.publicKey)).payload.uri).toBe(`/v1/n/${i}`);
    });
  });

  it('keeps signing after the DER Buffer it was given is zeroed', async () => {
    const input = Buffer.from(derPkcs8);
    const signer = requestSigner({ apiKey: 'key-test', privateKey: input });
    input.fill(0);
    const token = bearerToken(await signer.sign({ method: 'GET', url: '/v1/der' }));
    expect(verifyToken(token, spki(rsa.publicKey)).payload.uri).toBe('/v1/der');
  });

  it('keeps signing after the encrypted PEM and its Buffer passphrase are zeroed', async () => {
    const input = Buffer.from(encPkcs1, 'utf8');
    const passphrase = Buffer.from(PASSPHRASE, 'utf8');
    const signer = requestSigner({ apiKey: 'key-test', privateKey: input, passphrase });
    input.fill(0);
    passphrase.fill(0);
    const token = bearerToken(await signer.sign({ method: 'GET', url: '/v1/enc' }));
    expect(verifyToken(token, spki(rsa.publicKey)).payload.uri).toBe('/v1/enc');
  });

  it('refuses a bad key before any request is signed', () => {
    // If parsing were deferred to sign(), construction would succeed here.
    thrownSignetError(() => requestSigner({ apiKey: 'key-test', privateKey: `${pemBegin('PRIVATE KEY')}\nAAAA\n-----END PRIVATE KEY-----\n` }), 'ERR_KEY_INVALID');
  });
});
