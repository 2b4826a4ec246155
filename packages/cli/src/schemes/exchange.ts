import { type Signer, bithumbSigner, upbitSigner } from '@signet/core';
import { type Verifier, bithumbVerifier, upbitVerifier } from '@signet/verify';
import { SECRET, identifier, requireCredential } from '../credentials.js';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { type CommonVerify, withoutLifetime } from './common.js';

/** Upbit and Bithumb: the same exchange JWT (HS256/HS512, access_key, nonce, query_hash), Bithumb adds timestamp. */
export type ExchangeScheme = 'upbit' | 'bithumb';

export interface ExchangeFlags {
  accessKey?: string;
  secretFile?: string;
  alg?: string;
  queryHashForm?: 'raw' | 'encoded';
}

/** The access key is an identifier (the token carries it in clear); the secret key only from a file or the environment. */
async function credentials(io: Io, scheme: ExchangeScheme, options: ExchangeFlags, purpose: string): Promise<{ accessKey: string; secretKey: Buffer }> {
  const accessKey = identifier(io, options.accessKey, '--access-key', 'SIGNET_ACCESS_KEY', `${purpose} the ${scheme} scheme`);
  const secretKey = await requireCredential(io, SECRET, options.secretFile, `${purpose} the ${scheme} scheme`);
  return { accessKey, secretKey };
}

/** An Upbit or Bithumb signer: a fresh UUID nonce per token, query_hash over the query or the JSON body sent. */
export async function exchangeSchemeSigner(io: Io, scheme: ExchangeScheme, options: ExchangeFlags): Promise<Signer> {
  const { accessKey, secretKey } = await credentials(io, scheme, options, 'signing with');
  const algorithm = hmacAlgorithm(options.alg);
  const alg = algorithm === undefined ? {} : { algorithm };
  if (scheme === 'upbit') return upbitSigner({ accessKey, secretKey, ...alg });
  return bithumbSigner({ accessKey, secretKey, clock: io.now, ...alg, ...(options.queryHashForm === undefined ? {} : { queryHashForm: options.queryHashForm }) });
}

export async function exchangeSchemeVerifier(io: Io, scheme: ExchangeScheme, options: ExchangeFlags & { maxAge?: number }, common: CommonVerify): Promise<Verifier> {
  const { accessKey, secretKey } = await credentials(io, scheme, options, 'verifying');
  const algorithm = hmacAlgorithm(options.alg);
  const settings = { ...withoutLifetime(common), accessKey, secretKey, ...(algorithm === undefined ? {} : { algorithms: [algorithm] }) };
  if (scheme === 'upbit') return upbitVerifier(settings);
  return bithumbVerifier({
    ...settings,
    ...(options.queryHashForm === undefined ? {} : { queryHashForm: options.queryHashForm }),
    ...(options.maxAge === undefined ? {} : { maxAgeSeconds: options.maxAge }),
  });
}

function hmacAlgorithm(alg: string | undefined): 'HS256' | 'HS512' | undefined {
  if (alg === undefined || alg === 'HS256' || alg === 'HS512') return alg;
  throw new CliError('ERR_USAGE', `--alg ${JSON.stringify(alg)} is not an Upbit/Bithumb algorithm: use HS256 (the default) or HS512`);
}
