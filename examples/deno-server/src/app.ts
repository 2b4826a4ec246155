import { type RequestClaims, refusalResponse, requestVerifier, verifyFetchRequest } from '@signet/verify';

/**
 * A payments API as a web-standard handler: `POST /v1/payments` from a merchant whose signature verifies is
 * accepted (201) with what was verified; anything unsigned, forged or altered is refused with the SignetError's
 * code. `Deno.serve(paymentsHandler({ publicKey }))` serves it (src/deno.ts); so does any fetch-style server.
 */
export function paymentsHandler(options: { publicKey: string }): (request: Request) => Promise<Response> {
  const verifier = requestVerifier({ publicKey: options.publicKey });
  return async (request) => {
    if (request.method !== 'POST' || new URL(request.url).pathname !== '/v1/payments') return new Response('not found', { status: 404 });
    let claims: RequestClaims;
    let body: Uint8Array;
    try {
      ({ claims, body } = await verifyFetchRequest(verifier, request));
    } catch (error) {
      return refusalResponse(error);
    }
    const payment = JSON.parse(new TextDecoder().decode(body)) as { amount: number; currency: string };
    return Response.json({ id: 'pay_1', merchant: claims.sub, amount: payment.amount, currency: payment.currency }, { status: 201 });
  };
}
