import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { inject } from 'vitest';

// Generating RSA keys is the slowest thing most suites did at import time. The globalSetup generates each kind once
// per run and hands the PEMs to every test file through vitest's provide/inject; testKeys() parses them once per
// file. A test that needs a fresh or special key (1024-bit, RSA-PSS, 4096-bit, ...) still generates its own.

/** The kinds of key pair every suite can ask for. */
export const keyKinds = ['rsa', 'rsaOther', 'p256', 'p384', 'ed25519', 'ed448'] as const;
export type KeyKind = (typeof keyKinds)[number];

export interface KeyPairPems {
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface TestKeyPair extends KeyPairPems {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export type TestKeys = Record<KeyKind, TestKeyPair>;

declare module 'vitest' {
  export interface ProvidedContext {
    signetTestKeys: Record<KeyKind, KeyPairPems>;
  }
}

/** Generates one pair of each kind (RSA-2048 twice, P-256, P-384, Ed25519, Ed448) as PEM; for the globalSetup. */
export function generateKeyPems(): Record<KeyKind, KeyPairPems> {
  const pems = (pair: { privateKey: KeyObject; publicKey: KeyObject }): KeyPairPems => ({
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  return {
    rsa: pems(generateKeyPairSync('rsa', { modulusLength: 2048 })),
    rsaOther: pems(generateKeyPairSync('rsa', { modulusLength: 2048 })),
    p256: pems(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
    p384: pems(generateKeyPairSync('ec', { namedCurve: 'P-384' })),
    ed25519: pems(generateKeyPairSync('ed25519')),
    ed448: pems(generateKeyPairSync('ed448')),
  };
}

let cached: TestKeys | undefined;

/**
 * The run's test key pairs (generated once per run by the globalSetup, never committed), as KeyObjects and PEMs.
 * `rsaOther` is a second RSA-2048 pair for "signed with another key" cases.
 *
 * @example
 * const { rsa, p256 } = testKeys();
 */
export function testKeys(): TestKeys {
  if (cached === undefined) {
    const provided = inject('signetTestKeys');
    const parsed = {} as TestKeys;
    for (const kind of keyKinds) {
      const { privateKeyPem, publicKeyPem } = provided[kind];
      parsed[kind] = { privateKeyPem, publicKeyPem, privateKey: createPrivateKey(privateKeyPem), publicKey: createPublicKey(publicKeyPem) };
    }
    cached = parsed;
  }
  return cached;
}
