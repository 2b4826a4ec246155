import type { Signer } from '@signet/core';
import type { Io } from '../io.js';
import { coinbaseOrigin, coinbaseSchemeSigner, type CoinbaseFlags } from './coinbase.js';
import { requireOrigin } from './common.js';
import { type DpopFlags, dpopSchemeSigner } from './dpop.js';
import { type ExchangeFlags, exchangeSchemeSigner } from './exchange.js';
import { type FireblocksFlags, fireblocksSchemeSigner } from './fireblocks.js';
import type { NewScheme } from './flags.js';
import { type HttpSignatureFlags, httpSignatureSchemeSigner } from './http-signature.js';
import { type TrueLayerFlags, trueLayerSchemeSigner } from './truelayer.js';

export type NewSchemeFlags = FireblocksFlags & CoinbaseFlags & DpopFlags & HttpSignatureFlags & ExchangeFlags & TrueLayerFlags & { url: string };

/** The signer of a new scheme, and the origin to sign for (the schemes that bind the host need one). */
export async function newSchemeSigner(io: Io, scheme: NewScheme, options: NewSchemeFlags): Promise<{ signer: Signer; origin: string | undefined }> {
  switch (scheme) {
    case 'fireblocks':
      return { signer: await fireblocksSchemeSigner(io, options), origin: undefined };
    case 'coinbase': {
      const origin = coinbaseOrigin(options);
      if (origin === undefined && options.host === undefined) requireOrigin(options.url, scheme, ', or --host');
      return { signer: await coinbaseSchemeSigner(io, options), origin };
    }
    case 'dpop': {
      const origin = requireOrigin(options.url, scheme, ': htu names it');
      return { signer: await dpopSchemeSigner(io, options, origin), origin };
    }
    case 'http-signature': {
      const origin = requireOrigin(options.url, scheme, ' (@authority covers it)');
      return { signer: await httpSignatureSchemeSigner(io, options), origin };
    }
    case 'upbit':
    case 'bithumb':
      return { signer: await exchangeSchemeSigner(io, scheme, options), origin: undefined };
    case 'truelayer':
      return { signer: await trueLayerSchemeSigner(io, options), origin: undefined };
  }
}
