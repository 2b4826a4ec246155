import { Buffer } from 'node:buffer';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server received, and what its verification made of it. */
export interface Checked {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `undefined` when the verification passed; else the error it threw. */
  error: unknown;
  claims: unknown;
}

export interface VerifyingServer {
  origin: string;
  checked: Checked[];
  close(): Promise<void>;
}

/**
 * A node:http server on 127.0.0.1 that hands every request, exactly as it arrived, to `verify` (an independent
 * verifier), records the outcome, and answers 200 `{}` (401 when the verification threw).
 */
export async function startVerifyingServer(verify: (request: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }) => unknown): Promise<VerifyingServer> {
  const checked: Checked[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      void Promise.resolve()
        .then(() => verify(request))
        .then(
          (claims) => ({ claims, error: undefined }),
          (error: unknown) => ({ claims: undefined, error }),
        )
        .then(({ claims, error }) => {
          checked.push({ ...request, claims, error });
          res.writeHead(error === undefined ? 200 : 401, { 'content-type': 'application/json' });
          res.end('{}');
        });
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    checked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
