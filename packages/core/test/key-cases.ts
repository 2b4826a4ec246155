import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { createSecretKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SignetErrorCode } from '@signet/core';
import { pemBody } from './helpers.js';
import { testKeys } from '@signet/test-support';

/** A key `requestSigner` must refuse, the code it must refuse it with, and what must never appear in the error. */
export interface RefusedKeyCase {
  name: string;
  privateKey: unknown;
  passphrase?: string;
  code: SignetErrorCode;
  /** Base64 (or other) text of key material: no 16-character window of it may leak. */
  material: string[];
  /** Passphrases: none may leak, whole. */
  passphrases: string[];
}

export const PASSPHRASE = 'correct horse battery staple 42';
export const WRONG_PASSPHRASE = 'wrong-passphrase-Zq81';

/** Runs openssl in a fresh temporary directory that is removed afterwards; returns the files asked for. */
export function withOpenssl(args: (dir: string) => string[], files: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'signet-core-test-'));
  try {
    execFileSync('/usr/bin/openssl', args(dir), { stdio: 'pipe' });
    return files.map((file) => readFileSync(join(dir, file), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A self-signed X.509 certificate and the key it was made with, from the openssl CLI. */
export function makeCertificate(): { certPem: string; keyPem: string } {
  const [certPem = '', keyPem = ''] = withOpenssl(
    (dir) => ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=test', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    ['cert.pem', 'key.pem'],
  );
  return { certPem, keyPem };
}

export function refusedKeyCases(): RefusedKeyCase[] {
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const small8 = String(small.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const rsa = testKeys().rsa;
  const rsa8 = String(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const spki = String(rsa.publicKey.export({ type: 'spki', format: 'pem' }));
  const pkcs1Public = String(rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }));
  const ec = testKeys().p256.privateKey;
  const ed = testKeys().ed25519.privateKey;
  const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
  const secretBytes = randomBytes(32);
  const random = randomBytes(1200);
  const garbage = 'this is certainly not a private key, only a sentence of ordinary text';
  const enc8 = String(rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }));
  const enc1 = String(rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }));
  const { certPem, keyPem } = makeCertificate();
  const pem = (key: KeyObject) => String(key.export({ type: 'pkcs8', format: 'pem' }));
  const spkiDer = rsa.publicKey.export({ type: 'spki', format: 'der' });
  const certDer = Buffer.from(pemBody(certPem), 'base64');
  const enc8Der = rsa.privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: PASSPHRASE });

  const none: string[] = [];
  const cases: RefusedKeyCase[] = [
    { name: 'a 1024-bit RSA PEM', privateKey: small8, code: 'ERR_KEY_TOO_SMALL', material: [pemBody(small8)], passphrases: none },
    { name: 'a 1024-bit RSA KeyObject', privateKey: small.privateKey, code: 'ERR_KEY_TOO_SMALL', material: [pemBody(small8)], passphrases: none },
    { name: 'an RSA public key PEM (SPKI)', privateKey: spki, code: 'ERR_KEY_NOT_PRIVATE', material: [pemBody(spki)], passphrases: none },
    { name: "an RSA public key PEM ('RSA PUBLIC KEY')", privateKey: pkcs1Public, code: 'ERR_KEY_NOT_PRIVATE', material: [pemBody(pkcs1Public)], passphrases: none },
    { name: 'a public KeyObject', privateKey: rsa.publicKey, code: 'ERR_KEY_NOT_PRIVATE', material: [pemBody(spki)], passphrases: none },
    { name: 'an X.509 certificate PEM', privateKey: certPem, code: 'ERR_KEY_NOT_PRIVATE', material: [pemBody(certPem), pemBody(keyPem)], passphrases: none },
    { name: 'an EC P-256 private key PEM', privateKey: pem(ec), code: 'ERR_KEY_TYPE', material: [pemBody(pem(ec))], passphrases: none },
    { name: 'an EC P-256 private KeyObject', privateKey: ec, code: 'ERR_KEY_TYPE', material: [pemBody(pem(ec))], passphrases: none },
    { name: 'an Ed25519 private key PEM', privateKey: pem(ed), code: 'ERR_KEY_TYPE', material: [pemBody(pem(ed))], passphrases: none },
    { name: 'an RSA-PSS private key PEM', privateKey: pem(pss), code: 'ERR_KEY_TYPE', material: [pemBody(pem(pss))], passphrases: none },
    {
      name: 'a secret KeyObject',
      privateKey: createSecretKey(secretBytes),
      code: 'ERR_KEY_TYPE',
      material: [secretBytes.toString('base64'), secretBytes.toString('hex'), secretBytes.toString('base64url')],
      passphrases: none,
    },
    { name: 'garbage text', privateKey: garbage, code: 'ERR_KEY_INVALID', material: [garbage], passphrases: none },
    { name: 'random bytes', privateKey: random, code: 'ERR_KEY_INVALID', material: [random.toString('base64'), random.toString('hex')], passphrases: none },
    {
      name: 'a truncated PEM',
      privateKey: rsa8.slice(0, Math.floor(rsa8.length / 2)),
      code: 'ERR_KEY_INVALID',
      material: [pemBody(rsa8)],
      passphrases: none,
    },
    { name: 'an encrypted PKCS#8 PEM without passphrase', privateKey: enc8, code: 'ERR_KEY_PASSPHRASE', material: [pemBody(enc8), pemBody(rsa8)], passphrases: [PASSPHRASE] },
    {
      name: 'an encrypted PKCS#8 PEM with a wrong passphrase',
      privateKey: enc8,
      passphrase: WRONG_PASSPHRASE,
      code: 'ERR_KEY_PASSPHRASE',
      material: [pemBody(enc8), pemBody(rsa8)],
      passphrases: [PASSPHRASE, WRONG_PASSPHRASE],
    },
    { name: 'an encrypted PKCS#1 PEM without passphrase', privateKey: enc1, code: 'ERR_KEY_PASSPHRASE', material: [pemBody(enc1), pemBody(rsa8)], passphrases: [PASSPHRASE] },
    {
      name: 'an encrypted PKCS#1 PEM with a wrong passphrase',
      privateKey: enc1,
      passphrase: WRONG_PASSPHRASE,
      code: 'ERR_KEY_PASSPHRASE',
      material: [pemBody(enc1), pemBody(rsa8)],
      passphrases: [PASSPHRASE, WRONG_PASSPHRASE],
    },
    { name: 'an RSA public key DER (SPKI)', privateKey: spkiDer, code: 'ERR_KEY_NOT_PRIVATE', material: [spkiDer.toString('base64')], passphrases: none },
    { name: 'an X.509 certificate DER', privateKey: certDer, code: 'ERR_KEY_NOT_PRIVATE', material: [certDer.toString('base64')], passphrases: none },
    { name: 'an encrypted PKCS#8 DER without passphrase', privateKey: enc8Der, code: 'ERR_KEY_PASSPHRASE', material: [enc8Der.toString('base64'), pemBody(rsa8)], passphrases: [PASSPHRASE] },
    {
      name: 'an encrypted PKCS#8 DER with a wrong passphrase',
      privateKey: enc8Der,
      passphrase: WRONG_PASSPHRASE,
      code: 'ERR_KEY_PASSPHRASE',
      material: [enc8Der.toString('base64'), pemBody(rsa8)],
      passphrases: [PASSPHRASE, WRONG_PASSPHRASE],
    },
    { name: 'an empty string', privateKey: '', code: 'ERR_INVALID_OPTION', material: none, passphrases: none },
    { name: 'an empty Buffer', privateKey: Buffer.alloc(0), code: 'ERR_INVALID_OPTION', material: none, passphrases: none },
    { name: 'a number', privateKey: 42, code: 'ERR_INVALID_OPTION', material: none, passphrases: none },
  ];
  return cases;
}
