import { Buffer } from 'node:buffer';
import { createHash, generateKeyPairSync } from 'node:crypto';
import * as dpop from 'dpop';
import { EmbeddedJWK, SignJWT, calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { type JwsAlgorithm, dpopSigner } from '@signet/core';
import { dpopVerifier } from '@signet/verify';

// Each side's proofs through the other side's code: panva's `dpop` makes proofs that Signet's verifier must accept,
// and jose (with the key embedded in the proof, as a DPoP server reads it) verifies Signet's proofs.

const HTU = 'https://resource.example.org/protected';
const ath = (token: string): string => createHash('sha256').update(token).digest('base64url');
const empty = new Uint8Array(0);

describe("panva's dpop proofs pass Signet's verifier", () => {
  for (const alg of ['ES256', 'PS256', 'RS256'] as const) {
    it(`accepts a ${alg} proof with an access token and a nonce, bound to the key's thumbprint`, async () => {
      const keypair = await dpop.generateKeyPair(alg);
      const accessToken = 'at-for-dpop-interop.0123456789';
      const proof = await dpop.generateProof(keypair, HTU, 'GET', 'server-nonce-1', accessToken);
      const verifier = dpopVerifier({
        origin: 'https://resource.example.org',
        requireAccessToken: true,
        jkt: await dpop.calculateThumbprint(keypair.publicKey),
        checkNonce: (nonce) => nonce === 'server-nonce-1',
      });
      const claims = await verifier.verify({ method: 'GET', url: '/protected?page=2', headers: { dpop: proof, authorization: `DPoP ${accessToken}` }, body: empty });
      expect(claims).toMatchObject({ htm: 'GET', htu: HTU, ath: ath(accessToken), nonce: 'server-nonce-1', jkt: await dpop.calculateThumbprint(keypair.publicKey) });
    });
  }

  it('refuses the same dpop proof a second time (jti replay), and one for another URI', async () => {
    const keypair = await dpop.generateKeyPair('ES256');
    const proof = await dpop.generateProof(keypair, HTU, 'POST');
    const verifier = dpopVerifier({ origin: 'https://resource.example.org' });
    const request = { method: 'POST', url: '/protected', headers: { dpop: proof }, body: empty };
    await verifier.verify(request);
    await expect(verifier.verify(request)).rejects.toMatchObject({ code: 'ERR_TOKEN_REPLAYED' });
    const elsewhere = await dpop.generateProof(keypair, 'https://resource.example.org/other', 'POST');
    await expect(verifier.verify({ ...request, headers: { dpop: elsewhere } })).rejects.toMatchObject({ code: 'ERR_URI_MISMATCH' });
  });

  it("refuses dpop's Ed25519 proofs: their alg is the fully-specified 'Ed25519', which Signet's registry does not list (it has 'EdDSA')", async () => {
    const keypair = await dpop.generateKeyPair('Ed25519');
    const proof = await dpop.generateProof(keypair, HTU, 'GET');
    expect(decodeProtectedHeader(proof).alg).toBe('Ed25519');
    await expect(dpopVerifier({ origin: 'https://resource.example.org' }).verify({ method: 'GET', url: '/protected', headers: { dpop: proof }, body: empty })).rejects.toMatchObject({
      code: 'ERR_ALGORITHM_NOT_ALLOWED',
    });
  });
});

const keyFor: Record<string, () => ReturnType<typeof generateKeyPairSync>['privateKey']> = {
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  PS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  EdDSA: () => generateKeyPairSync('ed25519').privateKey,
};

describe("Signet's proofs verify with jose and the key embedded in them", () => {
  for (const algorithm of ['ES256', 'PS256', 'RS256', 'EdDSA'] as JwsAlgorithm[]) {
    it(`${algorithm}: typ dpop+jwt, a public jwk whose thumbprint is the signer's, and the request's htm, htu and ath`, async () => {
      const privateKey = (keyFor[algorithm] as () => never)();
      const signer = dpopSigner({ privateKey, algorithm, accessToken: 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU' });
      const headers = await signer.sign({ method: 'PATCH', url: '/v1/things/42?x=1&y=%20', origin: 'https://api.example.com:8443' });
      expect(headers['Authorization']).toBe('DPoP Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU');
      const { payload, protectedHeader } = await jwtVerify(headers['DPoP'] as string, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [algorithm] });
      expect(Object.keys(protectedHeader.jwk ?? {}).sort()).not.toContain('d');
      expect(await calculateJwkThumbprint(protectedHeader.jwk as never)).toBe(signer.thumbprint);
      expect(payload).toMatchObject({ htm: 'PATCH', htu: 'https://api.example.com:8443/v1/things/42', ath: 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo' });
      expect(typeof payload.jti).toBe('string');
      expect(payload).not.toHaveProperty('nonce');
    });
  }

  it('gives each proof its own jti', async () => {
    const signer = dpopSigner({ privateKey: keyFor['ES256']!() });
    const request = { method: 'GET', url: '/', origin: 'https://api.example.com' };
    const jtis = new Set<unknown>();
    for (let i = 0; i < 20; i++) jtis.add((await jwtVerify((await signer.sign(request))['DPoP'] as string, EmbeddedJWK)).payload.jti);
    expect(jtis.size).toBe(20);
  });
});

describe('known answer: a fixed clock, jti and Ed25519 key give the token jose makes from the same inputs', () => {
  it('is byte for byte the token jose signs', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signer = dpopSigner({ privateKey, algorithm: 'EdDSA', clock: () => 1_700_000_000_999, jti: () => 'fixed-jti-0001', accessToken: 'token-abc' });
    const headers = await signer.sign({ method: 'POST', url: '/token?grant=x', origin: 'https://server.example.com' });
    const { kty, crv, x } = publicKey.export({ format: 'jwk' });
    const expected = await new SignJWT({ jti: 'fixed-jti-0001', htm: 'POST', htu: 'https://server.example.com/token', iat: 1_700_000_000, ath: ath('token-abc') })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'EdDSA', jwk: { crv: crv as string, kty: kty as string, x: x as string } })
      .sign(privateKey);
    expect(headers['DPoP']).toBe(expected);
  });
});

// RFC 9449's example proofs: §4.1 (to the token endpoint) and §7.1 (to a resource, with `ath`). Their key is the
// public key in their `jwk`; §6.1 gives its thumbprint.
const RFC_JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
const RFC_TOKEN_PROOF =
  'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg';
const RFC_RESOURCE_PROOF =
  'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA';
const RFC_ACCESS_TOKEN = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';

describe("RFC 9449's example proofs", () => {
  it('verify with jose and the key the RFC gives, whose thumbprint is the §6.1 jkt', async () => {
    for (const proof of [RFC_TOKEN_PROOF, RFC_RESOURCE_PROOF]) {
      const { protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', currentDate: new Date(1_562_262_620_000) });
      expect(await calculateJwkThumbprint(protectedHeader.jwk as never)).toBe(RFC_JKT);
      await importJWK(protectedHeader.jwk as never, 'ES256');
    }
  });

  it("§4.1: the token request proof passes Signet's verifier at its time, and only for its method and URI", async () => {
    const verifier = dpopVerifier({ origin: 'https://server.example.com', clock: () => 1_562_262_620_000, jkt: RFC_JKT, replay: false });
    const request = { method: 'POST', url: '/token', headers: { dpop: RFC_TOKEN_PROOF, 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('grant_type=authorization_code') };
    expect(await verifier.verify(request)).toMatchObject({ jti: '-BwC3ESc6acc2lTc', jkt: RFC_JKT, iat: 1_562_262_616 });
    await expect(verifier.verify({ ...request, method: 'GET' })).rejects.toMatchObject({ code: 'ERR_METHOD_MISMATCH' });
    await expect(verifier.verify({ ...request, url: '/token2' })).rejects.toMatchObject({ code: 'ERR_URI_MISMATCH' });
    const later = dpopVerifier({ origin: 'https://server.example.com', clock: () => (1_562_262_616 + 3600) * 1000 });
    await expect(later.verify(request)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
  });

  it('§7.1: the resource request proof passes with its access token (ath) and not with another token', async () => {
    const verifier = dpopVerifier({ origin: 'https://resource.example.org', clock: () => 1_562_262_620_000, requireAccessToken: true, jkt: RFC_JKT });
    const headers = { dpop: RFC_RESOURCE_PROOF, authorization: `DPoP ${RFC_ACCESS_TOKEN}` };
    expect(await verifier.verify({ method: 'GET', url: '/protectedresource', headers, body: empty })).toMatchObject({ ath: ath(RFC_ACCESS_TOKEN) });
    const other = dpopVerifier({ origin: 'https://resource.example.org', clock: () => 1_562_262_620_000 });
    await expect(other.verify({ method: 'GET', url: '/protectedresource', headers: { ...headers, authorization: 'DPoP another-token' }, body: empty })).rejects.toMatchObject({
      code: 'ERR_TOKEN_BINDING_MISMATCH',
    });
  });
});
