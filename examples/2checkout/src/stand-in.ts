import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/**
 * A stand-in for 2Checkout's Signature Generation API (POST /checkout/api/encrypt/generate/signature): the
 * `merchant-token` header must be an HS512 JWT signed with the Buy-link Secret Word whose `sub` is the `merchant`
 * of the JSON body, issued now and valid at most 30 minutes. It answers `{ signature }`, here an HMAC of the
 * parameters standing in for 2Checkout's own. Verifies with jsonwebtoken, independently of Signet.
 */
export async function startTwoCheckoutStandIn(secretWord: string): Promise<{ origin: string; close(): void }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/checkout/api/encrypt/generate/signature') return reply(404, { error: 'not found' });
      let params: Record<string, unknown>;
      try {
        params = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return reply(400, { error: 'body is not JSON' });
      }
      const token = req.headers['merchant-token'];
      if (typeof token !== 'string') return reply(401, { error: 'missing merchant-token' });
      try {
        const claims = jwt.verify(token, secretWord, { algorithms: ['HS512'], subject: String(params['merchant']) }) as jwt.JwtPayload;
        if (claims.exp !== undefined && claims.exp - (claims.iat ?? 0) > 1800) return reply(401, { error: 'token lives longer than 30 minutes' });
      } catch (error) {
        return reply(401, { error: `merchant-token rejected: ${(error as Error).message}` });
      }
      const signature = createHmac('sha256', secretWord).update(JSON.stringify(params)).digest('hex');
      return reply(200, { signature });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
