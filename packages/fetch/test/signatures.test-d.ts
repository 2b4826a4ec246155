// Type-level test, checked by `tsc --build` (not run by vitest): createSignedFetch requires a baseURL or
// allowedOrigins, as the code does, so a call that always throws does not compile.
import type { Signer } from '@signet/core';
import { type SignedFetch, type SignedFetchOptions, createSignedFetch } from '@signet/fetch';

declare const signer: Signer;
declare const options: SignedFetchOptions;

// The README's calls compile.
const signedFetch: SignedFetch = createSignedFetch(signer, { baseURL: 'https://api.example.com/v1' });
void signedFetch('/payments?dryRun=1', { method: 'POST', body: { amount: 1250 } });
createSignedFetch(signer, { allowedOrigins: ['https://api.example.com'] });
createSignedFetch(signer, { baseURL: 'https://api.example.com/v1', allowedOrigins: ['https://files.example.com'], maxBufferedBodyBytes: 1024, fetch: globalThis.fetch });

// @ts-expect-error no baseURL and no allowedOrigins: always throws ERR_INVALID_OPTION
createSignedFetch(signer);
// @ts-expect-error no baseURL and no allowedOrigins
createSignedFetch(signer, {});
// @ts-expect-error the options may hold neither
createSignedFetch(signer, options);
// @ts-expect-error swapped arguments
createSignedFetch({ baseURL: 'https://api.example.com' }, signer);
// @ts-expect-error a misspelled option
createSignedFetch(signer, { baseURL: 'https://api.example.com', allowedOrigin: ['https://x.example.com'] });
