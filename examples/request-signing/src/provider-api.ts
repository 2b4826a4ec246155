import { createHash, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/** What the stand-in API checked for one request. */
export interface Verdict {
  ok: boolean;
  reason?: string;
  uri?: string;
  bodyHash?: string;
  bytes: number;
}

/**
 * A stand-in for the provider's API, as its documentation describes the check: the bearer token must verify with
 * the merchant's public key (RS256), `uri` must equal the request line's path + query, `bodyHash` the SHA-256 of
 * the raw body bytes ('{}' when empty), and the token may live 55 seconds at most. It verifies with jsonwebtoken,
 * independently of Signet.
 */
export async function startProviderApi(publicKey: KeyObject, apiKey: string): Promise<{ origin: string; close(): void }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verdict = check(req.headers.authorization, req.url ?? '', body);
      res.writeHead(verdict.ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(verdict));
    });
  });

  function check(authorization: string | undefined, requestTarget: string, body: Buffer): Verdict {
    const bytes = body.length;
    if (!authorization?.startsWith('Bearer ')) return { ok: false, reason: 'missing bearer token', bytes };
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(authorization.slice(7), publicKey, { algorithms: ['RS256'] }) as jwt.JwtPayload;
    } catch (error) {
      return { ok: false, reason: `token rejected: ${(error as Error).message}`, bytes };
    }
    const bodyHash = createHash('sha256').update(bytes > 0 ? body : Buffer.from('{}')).digest('hex');
    if (claims.sub !== apiKey) return { ok: false, reason: 'unknown api key', bytes };
    if (claims.uri !== requestTarget) return { ok: false, reason: `uri ${claims.uri} != ${requestTarget}`, bytes };
    if (claims['bodyHash'] !== bodyHash) return { ok: false, reason: 'body hash mismatch', bytes };
    if ((claims.exp ?? 0) - (claims.iat ?? 0) > 55) return { ok: false, reason: 'token lives too long', bytes };
    return { ok: true, uri: claims.uri, bodyHash, bytes };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
