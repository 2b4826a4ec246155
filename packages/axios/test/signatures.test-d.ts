// Type-level test, checked by `tsc --build` (not run by vitest): the signatures of createSignedAxios require what
// the code requires, a baseURL or allowedOrigins, so a call that always throws does not compile.
import axios from 'axios';
import type { Signer } from '@signet/core';
import { type SignedAxiosOptions, attachSigner, createSignedAxios } from '@signet/axios';

declare const signer: Signer;
declare const options: SignedAxiosOptions;

// The README's calls compile.
createSignedAxios(signer, { baseURL: 'https://api.example.com/v1' });
createSignedAxios(signer, { baseURL: 'https://api.example.com/v1', timeout: 5000 }, { clockSkew: 'auto', maxBufferedBodyBytes: 1024 });
createSignedAxios(signer, undefined, { allowedOrigins: ['https://api.example.com'] });
createSignedAxios(signer, { timeout: 5000 }, { allowedOrigins: ['https://api.example.com'], clockSkew: 'auto' });
attachSigner(axios.create({ baseURL: 'https://api.example.com/v1' }), signer);
attachSigner(axios.create(), signer, { allowedOrigins: ['https://api.example.com'] });

// @ts-expect-error no baseURL and no allowedOrigins: always throws ERR_INVALID_OPTION
createSignedAxios(signer);
// @ts-expect-error no baseURL and no allowedOrigins
createSignedAxios(signer, { timeout: 5000 });
// @ts-expect-error no baseURL, and the Signet options do not say allowedOrigins
createSignedAxios(signer, {}, options);
// @ts-expect-error a Signet option in axios's config
createSignedAxios(signer, { baseURL: 'https://api.example.com', clockSkew: 'auto' });
// @ts-expect-error swapped arguments
createSignedAxios({ baseURL: 'https://api.example.com' }, signer);
// @ts-expect-error swapped arguments
attachSigner(signer, axios.create());
// @ts-expect-error a misspelled option
createSignedAxios(signer, { baseURL: 'https://api.example.com' }, { allowedOrigin: ['https://api.example.com'] });
