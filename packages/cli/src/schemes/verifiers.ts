import type { Verifier } from '@signet/verify';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { coinbaseSchemeVerifier } from './coinbase.js';
import { type CommonVerify, originOf } from './common.js';
import { type DpopVerifyFlags, dpopHeaders, dpopSchemeVerifier } from './dpop.js';
import { type ExchangeFlags, exchangeSchemeVerifier } from './exchange.js';
import { fireblocksHeaders, fireblocksSchemeVerifier } from './fireblocks.js';
import type { NewScheme } from './flags.js';
import { type HttpSignatureVerifyFlags, httpSignatureSchemeVerifier } from './http-signature.js';
import { type TrueLayerFlags, trueLayerSchemeVerifier } from './truelayer.js';

export type NewSchemeVerifyFlags = DpopVerifyFlags & HttpSignatureVerifyFlags & ExchangeFlags & TrueLayerFlags & { apiKey?: string; host?: string; publicKeyFile?: string };

export function newSchemeVerifier(io: Io, scheme: NewScheme, options: NewSchemeVerifyFlags, common: CommonVerify): Promise<Verifier> | Verifier {
  switch (scheme) {
    case 'fireblocks':
      return fireblocksSchemeVerifier(io, options, common);
    case 'coinbase':
      return coinbaseSchemeVerifier(io, options, common);
    case 'dpop':
      return dpopSchemeVerifier(options, common);
    case 'http-signature':
      return httpSignatureSchemeVerifier(io, options, common);
    case 'upbit':
    case 'bithumb':
      return exchangeSchemeVerifier(io, scheme, options, common);
    case 'truelayer':
      return trueLayerSchemeVerifier(io, options, common);
  }
}

/** With `--token`: the headers the scheme's token travels in (the rest of the request comes from the flags). */
export async function newSchemeHeaders(io: Io, scheme: NewScheme, options: NewSchemeVerifyFlags, token: string): Promise<Record<string, string>> {
  switch (scheme) {
    case 'fireblocks':
      return fireblocksHeaders(io, options, token);
    case 'coinbase':
      if (options.host === undefined && originOf(options.url) === undefined) {
        throw new CliError('ERR_USAGE', 'the coinbase token names the host: give --host, or an absolute --url as received');
      }
      return { authorization: `Bearer ${token}` };
    case 'dpop':
      return dpopHeaders(io, options, token);
    case 'http-signature':
      throw new CliError('ERR_USAGE', 'an HTTP message signature spans several headers: give --request-file <path> with the captured request, not --token');
    case 'upbit':
    case 'bithumb':
      return { authorization: `Bearer ${token}` };
    case 'truelayer':
      throw new CliError('ERR_USAGE', 'a Tl-Signature covers headers (Idempotency-Key) besides its own: give --request-file <path> with the captured request, not --token');
  }
}
