import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { twoCheckoutVerifier, withSignet } from '@signet/verify';

/**
 * A stand-in for 2Checkout's Signature Generation API (POST /checkout/api/encrypt/generate/signature) on
 * @signet/verify: the `merchant-token` header must be an HS512 JWT signed with the Buy-link Secret Word whose `sub`
 * is the merchant code, issued now and valid at most 30 minutes. It answers `{ signature }`, here an HMAC of the
 * parameters standing in for 2Checkout's own.
 */
export async function startTwoCheckoutStandIn(merchantCode: string, secretWord: string): Promise<{ origin: string; close(): void }> {
  const server = createServer(
    withSignet(twoCheckoutVerifier({ merchantCode, secretWord }), (req, res) => {
      const params = req.body as Record<string, unknown> | undefined;
      const found = req.method === 'POST' && req.url === '/checkout/api/encrypt/generate/signature';
      const ok = found && params?.['merchant'] === merchantCode;
      res.writeHead(ok ? 200 : found ? 400 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { signature: createHmac('sha256', secretWord).update(JSON.stringify(params)).digest('hex') } : { error: 'bad request' }));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
