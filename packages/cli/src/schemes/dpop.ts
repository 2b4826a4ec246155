import { type DpopSigner, JWS_ALGORITHMS, type JwsAlgorithm, dpopSigner } from '@signet/core';
import { type Verifier, dpopVerifier } from '@signet/verify';
import { PASSPHRASE, PRIVATE_KEY, findCredential, requireCredential } from '../credentials.js';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { type CommonVerify, originOf, withoutLifetime } from './common.js';
import { listOf } from './flags.js';

/** The access token is a bearer credential: a file or the environment, like every other secret. */
const ACCESS_TOKEN = {
  what: 'the access token',
  fileOption: '--access-token-file',
  envValue: 'SIGNET_ACCESS_TOKEN',
  envFile: 'SIGNET_ACCESS_TOKEN_FILE',
  trimNewline: true,
};

export interface DpopFlags {
  keyFile?: string;
  passphraseFile?: string;
  alg?: string;
  accessTokenFile?: string;
  dpopNonce?: string;
}

/** A DPoP proof signer; `--dpop-nonce` is handed to it as the server would, in a `DPoP-Nonce` response header. */
export async function dpopSchemeSigner(io: Io, options: DpopFlags, origin: string): Promise<DpopSigner> {
  const privateKey = await requireCredential(io, PRIVATE_KEY, options.keyFile, 'the dpop scheme');
  const passphrase = await findCredential(io, PASSPHRASE, options.passphraseFile);
  const accessToken = await findCredential(io, ACCESS_TOKEN, options.accessTokenFile);
  const signer = dpopSigner({
    privateKey,
    clock: io.now,
    ...(options.alg === undefined ? {} : { algorithm: jwsAlgorithm(options.alg) }),
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(accessToken === undefined ? {} : { accessToken: accessToken.toString('utf8') }),
  });
  if (options.dpopNonce !== undefined) {
    await signer.onResponse({ origin, status: 200, headers: { 'dpop-nonce': options.dpopNonce } });
  }
  return signer;
}

export interface DpopVerifyFlags {
  origin?: string;
  url?: string;
  alg?: string;
  jkt?: string;
  maxAge?: number;
  accessTokenFile?: string;
}

export function dpopSchemeVerifier(options: DpopVerifyFlags, common: CommonVerify): Verifier {
  const origin = options.origin ?? originOf(options.url);
  if (origin === undefined) throw new CliError('ERR_USAGE', 'verifying the dpop scheme needs the origin htu names: give --origin https://host, or an absolute --url');
  return dpopVerifier({
    ...withoutLifetime(common),
    origin,
    ...(options.alg === undefined ? {} : { algorithms: listOf(options.alg).map(jwsAlgorithm) }),
    ...(options.jkt === undefined ? {} : { jkt: options.jkt }),
    ...(options.maxAge === undefined ? {} : { maxAgeSeconds: options.maxAge }),
  });
}

/** With `--token` (the proof): the DPoP header, and the access token when one is given. */
export async function dpopHeaders(io: Io, options: DpopVerifyFlags, proof: string): Promise<Record<string, string>> {
  const accessToken = await findCredential(io, ACCESS_TOKEN, options.accessTokenFile);
  return { dpop: proof, ...(accessToken === undefined ? {} : { authorization: `DPoP ${accessToken.toString('utf8')}` }) };
}

function jwsAlgorithm(alg: string): JwsAlgorithm {
  if (!(JWS_ALGORITHMS as readonly string[]).includes(alg) || alg.startsWith('HS')) {
    throw new CliError('ERR_USAGE', `--alg ${JSON.stringify(alg)} is not a DPoP algorithm: use ES256, ES384, PS256, RS256, RS384, RS512 or EdDSA`);
  }
  return alg as JwsAlgorithm;
}
