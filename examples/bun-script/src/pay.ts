import { requestSigner } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';

/** Where to send the payment, and as whom. */
export interface PaymentAccount {
  /** The API's origin, e.g. https://api.psp.example. */
  baseURL: string;
  apiKey: string;
  /** The RS256 private key (PEM). */
  privateKey: string;
}

/**
 * Creates a payment: one `POST /v1/payments` signed per request (RS256, the body's SHA-256 in the token), with
 * fetch only, so it runs unchanged in Bun, Deno, Workers and Node. Resolves to the API's status and JSON answer.
 */
export async function createPayment(account: PaymentAccount, payment: { amount: number; currency: string }): Promise<{ status: number; answer: unknown }> {
  const signedFetch = createSignedFetch(requestSigner({ apiKey: account.apiKey, privateKey: account.privateKey }), { baseURL: account.baseURL });
  const response = await signedFetch('/v1/payments?idempotency=order-42', { method: 'POST', body: payment });
  return { status: response.status, answer: await response.json() };
}
