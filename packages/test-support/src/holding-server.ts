import { Buffer } from 'node:buffer';
import { type IncomingHttpHeaders, createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CREDENTIAL_HEADERS } from './schemes.js';
import type { Needle } from './reachable.js';

// A node:http server that keeps requests in flight on demand, so a test can hold an error or a response in one hand
// while other requests of the same client are still open on the same agent (or the same keep-alive sockets).

export interface HoldingServer {
  origin: string;
  /** Every credential header value the server received, for every request, and each JWS signature alone. */
  credentials(): Needle[];
  /** The request line's target, the headers and (once read) the body of every request, in order of arrival. */
  requests: { url: string; headers: IncomingHttpHeaders; body: Buffer }[];
  /** Resolves once `count` requests have arrived in all. */
  arrived(count: number): Promise<void>;
  /** Answers every held request 200. */
  release(): void;
  close(): Promise<void>;
}

/**
 * Routes by path: `/hold` is answered only by `release()`, `/fail` gets a 500, `/drop` has its socket destroyed
 * (the client sees a reset), `/retry` gets 503 for its first `failFirst` attempts, anything else a 200.
 */
export async function startHoldingServer(failFirst = 0): Promise<HoldingServer> {
  const credentials: Needle[] = [];
  const held: ServerResponse[] = [];
  const requests: HoldingServer['requests'] = [];
  let count = 0;
  let retries = 0;
  let waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    count += 1;
    const entry = { url: req.url ?? '', headers: req.headers, body: Buffer.alloc(0) };
    requests.push(entry);
    const chunks: Buffer[] = [];
    for (const name of CREDENTIAL_HEADERS) {
      const value = req.headers[name];
      if (typeof value !== 'string') continue;
      const token = /^(?:Bearer )?([\w-]+\.[\w-]+\.([\w-]{20,}))$/.exec(value);
      const found = [{ name: `${name} of request ${count}`, value }];
      if (token !== null) found.push({ name: `${name} token of request ${count}`, value: token[1] as string }, { name: `${name} signature of request ${count}`, value: token[2] as string });
      // A value every request carries (an API key, PortOne's client key) is searched for once, under its first name.
      credentials.push(...found.filter((needle) => !credentials.some((known) => known.value === needle.value)));
    }
    waiters = waiters.filter((waiter) => (waiter.count <= count ? void waiter.resolve() : true));
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      entry.body = Buffer.concat(chunks);
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/hold') held.push(res);
      else if (path === '/fail') res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
      else if (path === '/drop') req.socket.destroy();
      else if (path === '/retry' && (retries += 1) <= failFirst) res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: () => [...credentials],
    requests,
    arrived: (target) => (count >= target ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count: target, resolve }))),
    release: () => {
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{"held":true}');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
