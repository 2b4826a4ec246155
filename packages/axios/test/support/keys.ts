import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface TestKeys {
  privateKeyPem: string;
  publicKeyPem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

let cached: TestKeys | undefined;

/** A fresh RSA-2048 key pair, generated at test time (never committed), shared within one test file. */
export function testKeys(): TestKeys {
  if (!cached) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    cached = {
      privateKey,
      publicKey,
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
  return cached;
}
