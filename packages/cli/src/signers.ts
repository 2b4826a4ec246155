import { type JwsAlgorithm, type JwtClaims, type Signer, jwtSigner, portOneSigner, requestSigner, twoCheckoutSigner } from '@signet/core';
import { SECRET, identifier, requireCredential } from './credentials.js';
import { CliError } from './errors.js';
import type { Io } from './io.js';
import { type PrivateKeyOptions, loadPrivateKey, wantsPkcs11 } from './signing-keys.js';

export interface RequestSchemeOptions extends PrivateKeyOptions {
  apiKey?: string;
  expiresIn?: number;
  emptyBody?: string;
  nonce?: boolean;
  apiKeyHeader?: string;
}

/** The per-request RS256 signer from command-line options and the environment. */
export async function requestSchemeSigner(io: Io, options: RequestSchemeOptions): Promise<Signer> {
  const apiKey = identifier(io, options.apiKey, '--api-key', 'SIGNET_API_KEY', 'the request scheme');
  const { key: privateKey, passphrase } = await loadPrivateKey(io, options, 'RS256', 'the request scheme');
  return requestSigner({
    apiKey,
    privateKey,
    clock: io.now,
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(options.expiresIn === undefined ? {} : { expiresInSeconds: options.expiresIn }),
    ...(options.emptyBody === undefined ? {} : { emptyBody: options.emptyBody }),
    ...(options.nonce === true ? { nonce: true } : {}),
    ...(options.apiKeyHeader === undefined ? {} : { apiKeyHeader: options.apiKeyHeader }),
  });
}

export interface PortOneSchemeOptions {
  clientKey?: string;
  secretFile?: string;
  issuer?: string;
  expiresIn?: number;
}

export async function portOneSchemeSigner(io: Io, options: PortOneSchemeOptions): Promise<Signer> {
  const clientKey = identifier(io, options.clientKey, '--client-key', 'SIGNET_CLIENT_KEY', 'the portone scheme');
  const secretKey = await requireCredential(io, SECRET, options.secretFile, 'the portone scheme');
  return portOneSigner({
    clientKey,
    secretKey,
    clock: io.now,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.expiresIn === undefined ? {} : { expiresInSeconds: options.expiresIn }),
  });
}

export interface TwoCheckoutSchemeOptions {
  merchantCode?: string;
  secretFile?: string;
  expiresIn?: number;
  /** `false` from `--no-exp`. */
  exp?: boolean;
}

export async function twoCheckoutSchemeSigner(io: Io, options: TwoCheckoutSchemeOptions): Promise<Signer> {
  const merchantCode = identifier(io, options.merchantCode, '--merchant-code', 'SIGNET_MERCHANT_CODE', 'the 2checkout scheme');
  if (options.exp === false && options.expiresIn !== undefined) throw new CliError('ERR_USAGE', '--no-exp and --expires-in exclude each other');
  const secretWord = await requireCredential(io, SECRET, options.secretFile, 'the 2checkout scheme');
  return twoCheckoutSigner({
    merchantCode,
    secretWord,
    clock: io.now,
    ...(options.exp === false ? { expiresInSeconds: false } : options.expiresIn === undefined ? {} : { expiresInSeconds: options.expiresIn }),
  });
}

export interface JwtSchemeOptions extends PrivateKeyOptions {
  alg: JwsAlgorithm;
  claims: JwtClaims;
  secretFile?: string;
  expiresIn?: number;
  exp?: boolean;
  iat?: boolean;
  kid?: string;
  allowShortSecret?: boolean;
}

/** A generic JWT signer: an HMAC secret for HS*, a private key for the others; the wrong kind is refused. */
export async function jwtSchemeSigner(io: Io, options: JwtSchemeOptions): Promise<Signer> {
  const hmac = options.alg.startsWith('HS');
  if (options.exp === false && options.expiresIn !== undefined) throw new CliError('ERR_USAGE', '--no-exp and --expires-in exclude each other');
  if (hmac && (options.keyFile !== undefined || options.passphraseFile !== undefined || wantsPkcs11(options))) {
    throw new CliError('ERR_USAGE', `${options.alg} signs with a shared secret: give --secret-file, not --key-file or --pkcs11-*`);
  }
  if (!hmac && (options.secretFile !== undefined || options.allowShortSecret === true)) {
    throw new CliError('ERR_USAGE', `${options.alg} signs with a private key: give --key-file (or --pkcs11-*), not --secret-file`);
  }
  const { key, passphrase } = hmac
    ? { key: await requireCredential(io, SECRET, options.secretFile, `--alg ${options.alg}`), passphrase: undefined }
    : await loadPrivateKey(io, options, options.alg, `--alg ${options.alg}`);
  return jwtSigner({
    algorithm: options.alg,
    key,
    claims: options.claims,
    clock: io.now,
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(options.exp === false ? { expiresInSeconds: false } : options.expiresIn === undefined ? {} : { expiresInSeconds: options.expiresIn }),
    ...(options.iat === false ? { issuedAt: false } : {}),
    ...(options.kid === undefined ? {} : { keyId: options.kid }),
    ...(options.allowShortSecret === true ? { allowShortSecret: true } : {}),
  });
}

/** The token inside the headers a signer returned: `Authorization: Bearer …` or a bare header value. */
export function tokenOf(headers: Record<string, string>): string {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'authorization') return value.replace(/^Bearer /, '');
    if (name.toLowerCase() === 'merchant-token') return value;
  }
  throw new CliError('ERR_USAGE', 'the signer returned no token header');
}
