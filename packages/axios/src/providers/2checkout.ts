import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { SignetError } from '@signet/core';
import { optionNames, ownValue, readOptions } from '@signet/internal';

/** The body of 2Checkout's Signature Generation call: the merchant code and the buy-link parameters. */
export interface TwoCheckoutSignatureRequest {
  /** Your merchant code (the same as the token's `sub`). */
  merchant: string;
  /** The buy-link parameters to sign (`prod`, `price`, `currency`, `qty`, `return-url`, …). */
  [parameter: string]: string | number | boolean | undefined;
}

/** Options of {@link generateTwoCheckoutSignature}. */
export interface TwoCheckoutSignatureOptions {
  /** The endpoint, relative to the instance's `baseURL` or absolute. @default '/checkout/api/encrypt/generate/signature' */
  url?: string;
  /** Further axios request options (timeout, signal, …). @default {} */
  config?: AxiosRequestConfig;
}

const TWO_CHECKOUT_SIGNATURE_OPTIONS = optionNames<TwoCheckoutSignatureOptions>({ url: true, config: true });

/**
 * Calls 2Checkout's Signature Generation API (`POST /checkout/api/encrypt/generate/signature`) through an axios
 * instance that sends the merchant token, typically `createSignedAxios(twoCheckoutSigner(…), { baseURL:
 * 'https://secure.2checkout.com' })`, and returns the buy-link `signature`. An answer without a string `signature`
 * is a `SignetError` with code `ERR_PROVIDER_RESPONSE`.
 *
 * @example
 * ```ts
 * const api = createSignedAxios(twoCheckoutSigner({ merchantCode, secretWord }), { baseURL: 'https://secure.2checkout.com' });
 * const { signature } = await generateTwoCheckoutSignature(api, { merchant: merchantCode, prod: 'Pro plan', price: 49, currency: 'USD', qty: 1, type: 'digital' });
 * ```
 */
export async function generateTwoCheckoutSignature(api: AxiosInstance, request: TwoCheckoutSignatureRequest, options: TwoCheckoutSignatureOptions = {}): Promise<{ signature: string }> {
  const merchant = ownValue(request, 'merchant');
  if (typeof merchant !== 'string' || merchant === '') {
    throw new SignetError('ERR_INVALID_OPTION', 'generateTwoCheckoutSignature needs the buy-link parameters with a non-empty merchant code.');
  }
  const own = readOptions<TwoCheckoutSignatureOptions>(options, 'generateTwoCheckoutSignature', TWO_CHECKOUT_SIGNATURE_OPTIONS);
  const { url = '/checkout/api/encrypt/generate/signature', config = {} } = own;
  const response = await api.post<unknown>(url, request, {
    ...config,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...(config.headers as Record<string, string> | undefined) },
  });
  const data = response.data;
  const signature = typeof data === 'object' && data !== null ? (data as { signature?: unknown }).signature : undefined;
  if (typeof signature !== 'string' || signature === '') {
    throw new SignetError('ERR_PROVIDER_RESPONSE', `2Checkout answered HTTP ${response.status} without a signature.`);
  }
  return { signature };
}
