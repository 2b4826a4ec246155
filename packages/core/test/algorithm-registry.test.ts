import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { type KeyObject, createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { JWS_ALGORITHMS, type JwsAlgorithm, jwtSigner } from '@signet/core';
import { ALGORITHMS } from '../src/algorithm-registry.js';
import { keyFits, keyMisfit } from '../src/key-fit.js';
import { bearerToken } from './helpers.js';

// Independent facts, written out here rather than read from the registry: RFC 7518 §3.1 and RFC 8037 §3.1.
const RFC_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const KEYS = {
  secret: { ...pairOf(createSecretKey(randomBytes(64))) },
  rsa: pairOf(generateKeyPairSync('rsa', { modulusLength: 2048 })),
  'rsa-pss': pairOf(generateKeyPairSync('rsa-pss', { modulusLength: 2048 })),
  p256: pairOf(generateKeyPairSync('ec', { namedCurve: 'prime256v1' })),
  p384: pairOf(generateKeyPairSync('ec', { namedCurve: 'secp384r1' })),
  p521: pairOf(generateKeyPairSync('ec', { namedCurve: 'secp521r1' })),
  ed25519: pairOf(generateKeyPairSync('ed25519')),
  ed448: pairOf(generateKeyPairSync('ed448')),
};
type KeyName = keyof typeof KEYS;
/** Which keys can serve which algorithm (RFC 7518 §3.2-3.5, RFC 8037 §3.1). */
const FITS: Record<JwsAlgorithm, readonly KeyName[]> = {
  HS256: ['secret'],
  HS384: ['secret'],
  HS512: ['secret'],
  RS256: ['rsa'],
  RS384: ['rsa'],
  RS512: ['rsa'],
  PS256: ['rsa', 'rsa-pss'],
  ES256: ['p256'],
  ES384: ['p384'],
  ES512: ['p521'],
  EdDSA: ['ed25519', 'ed448'],
};
const RSA_1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });

function pairOf(keys: KeyObject | { privateKey: KeyObject; publicKey: KeyObject }): { sign: KeyObject; verify: KeyObject } {
  return 'privateKey' in keys ? { sign: keys.privateKey, verify: keys.publicKey } : { sign: keys, verify: keys };
}

function restrictedPssPair(modulusLength: number, hash: string, saltLength: number): { privateKey: KeyObject; publicKey: KeyObject } {
  // @types/node types saltLength as a string; Node takes (and needs) a number.
  return generateKeyPairSync('rsa-pss', { modulusLength, hashAlgorithm: hash, mgf1HashAlgorithm: hash, saltLength: saltLength as unknown as string });
}

/** A key of each `asymmetricKeyType` the registry lists (HMAC: a secret of the digest's size). */
function registryKeys(alg: JwsAlgorithm): Array<{ sign: KeyObject; verify: KeyObject }> {
  const spec = ALGORITHMS[alg];
  if (spec.family === 'hmac') return [pairOf(createSecretKey(randomBytes(spec.minSecretBytes ?? 0)))];
  return spec.keyTypes.map((type) => {
    if (type === 'ec') return pairOf(generateKeyPairSync('ec', { namedCurve: spec.curve as string }));
    if (type === 'rsa') return pairOf(generateKeyPairSync('rsa', { modulusLength: spec.minRsaBits as number }));
    // jsonwebtoken wants an RSA-PSS key restricted to the algorithm's parameters: the registry's digest and salt.
    if (type === 'rsa-pss') return pairOf(restrictedPssPair(spec.minRsaBits as number, spec.hash as string, spec.pssSaltLength as number));
    if (type === 'ed25519') return pairOf(generateKeyPairSync('ed25519'));
    if (type === 'ed448') return pairOf(generateKeyPairSync('ed448'));
    throw new Error(`no generator for key type ${type}`);
  });
}

async function independentlyVerified(alg: JwsAlgorithm, token: string, key: KeyObject): Promise<unknown> {
  if (alg === 'EdDSA') return (await jwtVerify(token, key, { algorithms: ['EdDSA', 'Ed25519'] })).payload;
  return jwt.verify(token, key, { algorithms: [alg] });
}

/** The group order `openssl ecparam` prints for a named curve. */
function opensslOrder(curve: string): bigint {
  const text = execFileSync('/usr/bin/openssl', ['ecparam', '-name', curve, '-param_enc', 'explicit', '-text', '-noout'], { encoding: 'utf8' });
  const block = /Order:\s*\n((?:\s+[0-9a-f:]+\n)+)/.exec(text)?.[1];
  if (block === undefined) throw new Error(`openssl printed no order for ${curve}`);
  return BigInt(`0x${block.replace(/[\s:]/g, '')}`);
}

describe('the algorithm registry', () => {
  it('names exactly the JWS algorithms of RFC 7518 and RFC 8037 that Signet supports, and never none', () => {
    expect([...JWS_ALGORITHMS]).toStrictEqual(RFC_ALGORITHMS);
    expect(Object.keys(ALGORITHMS).sort()).toStrictEqual([...RFC_ALGORITHMS].sort());
    expect(Object.isFrozen(JWS_ALGORITHMS)).toBe(true);
  });

  for (const alg of JWS_ALGORITHMS) {
    it(`${alg}: a key of each type the registry names signs a token that an independent verifier accepts, with the registry's signature length`, async () => {
      const spec = ALGORITHMS[alg];
      for (const keys of registryKeys(alg)) {
        const signer = jwtSigner({ algorithm: alg, key: keys.sign, claims: { sub: 'registry' } });
        const token = bearerToken(await signer.sign({ method: 'GET', url: '/' }));
        // Ed448 is outside what jose and jsonwebtoken verify; the EdDSA family is covered by Ed25519 here.
        if (keys.verify.asymmetricKeyType !== 'ed448') expect(await independentlyVerified(alg, token, keys.verify)).toMatchObject({ sub: 'registry' });
        const signatureLength = Buffer.from(token.split('.')[2] ?? '', 'base64url').length;
        if (spec.family === 'hmac') expect(signatureLength).toBe(spec.digestBytes);
        if (spec.family === 'ec') expect(signatureLength).toBe(spec.signatureBytes);
        if (spec.minRsaBits !== undefined) expect(signatureLength).toBe(spec.minRsaBits / 8);
      }
    });
  }

  it('states the digest sizes, the PS256 salt, the ECDSA signature lengths and curve orders that the standards and openssl give', () => {
    const digestBytes = { sha256: 32, sha384: 48, sha512: 64 };
    for (const alg of JWS_ALGORITHMS) {
      const spec = ALGORITHMS[alg];
      expect(spec.digestBytes).toBe(spec.hash === null ? undefined : digestBytes[spec.hash]);
      if (spec.family === 'hmac') expect(spec.minSecretBytes).toBe(spec.digestBytes);
      if (spec.curve !== undefined) {
        expect(spec.curveOrder).toBe(opensslOrder(spec.curve));
        // r || s, each as long as the order (RFC 7518 §3.4).
        expect(spec.signatureBytes).toBe(2 * Math.ceil((spec.curveOrder ?? 0n).toString(16).length / 2));
      }
    }
    expect(ALGORITHMS.PS256.pssSaltLength).toBe(32);
  });
});

describe('keyFits, the one check signing and verifying share', () => {
  for (const alg of JWS_ALGORITHMS) {
    it(`${alg}: fits exactly the keys RFC 7518/8037 allow, for signing (private half) and verifying (public half)`, () => {
      for (const [name, keys] of Object.entries(KEYS) as Array<[KeyName, { sign: KeyObject; verify: KeyObject }]>) {
        const expected = FITS[alg].includes(name);
        expect({ name, sign: keyFits(keys.sign, alg, 'sign'), verify: keyFits(keys.verify, alg, 'verify') }).toStrictEqual({ name, sign: expected, verify: expected });
      }
    });
  }

  it('refuses the wrong half: a public key to sign, a private key to verify', () => {
    expect(keyFits(KEYS.rsa.verify, 'RS256', 'sign')).toBe(false);
    expect(keyFits(KEYS.rsa.sign, 'RS256', 'verify')).toBe(false);
    expect(keyFits(KEYS.ed25519.sign, 'EdDSA', 'verify')).toBe(false);
  });

  it('refuses a 1024-bit RSA key for every RSA algorithm, on both sides, as too small', () => {
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256'] as const) {
      expect(keyMisfit(RSA_1024.privateKey, alg, 'sign')?.code).toBe('ERR_KEY_TOO_SMALL');
      expect(keyMisfit(RSA_1024.publicKey, alg, 'verify')?.code).toBe('ERR_KEY_TOO_SMALL');
    }
  });

  it('refuses, on both sides, an RSA-PSS key restricted to a digest PS256 does not use', () => {
    const restricted = restrictedPssPair(2048, 'sha512', 64);
    expect(keyFits(restricted.privateKey, 'PS256', 'sign')).toBe(false);
    expect(keyFits(restricted.publicKey, 'PS256', 'verify')).toBe(false);
  });
});
