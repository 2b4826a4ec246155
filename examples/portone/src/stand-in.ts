import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/**
 * A stand-in for api.portone.cloud that checks requests as PortOne's JWT Authentication page describes: an HS256
 * bearer token signed with the secret key, `iss` PORTONE, `sub` the client key, at most 100 seconds of life, and
 * the same client key in `X-Portone-Client-Key`. It verifies with jsonwebtoken, independently of Signet.
 */
export async function startPortOneStandIn(clientKey: string, secretKey: string): Promise<{ origin: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reason = check(req);
      res.writeHead(reason === undefined ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reason === undefined ? answer(req) : { error: reason }));
    });
  });

  function check(req: IncomingMessage): string | undefined {
    if (req.headers['x-portone-client-key'] !== clientKey) return 'missing or unknown X-Portone-Client-Key';
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    if (token === undefined) return 'missing bearer token';
    try {
      const claims = jwt.verify(token, secretKey, { algorithms: ['HS256'], issuer: 'PORTONE', subject: clientKey }) as jwt.JwtPayload;
      if ((claims.exp ?? 0) - (claims.iat ?? 0) > 100) return 'token lives longer than 100 s';
    } catch (error) {
      return `token rejected: ${(error as Error).message}`;
    }
    return undefined;
  }

  function answer(req: IncomingMessage): unknown {
    const status = /^\/api\/transaction\/([^/]+)\/status$/.exec(req.url ?? '');
    if (req.method === 'GET' && status) return { order_ref: status[1], status: 'Success', message: 'authenticated' };
    if (req.method === 'POST' && req.url === '/api/paymentLink') return { payment_link: 'https://checkout.portone.example/pl_demo', message: 'authenticated' };
    return { message: 'authenticated' };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
