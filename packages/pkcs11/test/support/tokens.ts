import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Signer, SigningKey } from '@signet/core';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A compact JWS made the plainest way: `key.sign()` over `base64url(header).base64url(payload)`. Until jwtSigner
 * takes a SigningKey, this stands in for it, so that what the token signed is checked by jsonwebtoken and jose.
 */
export async function mintWithKey(key: SigningKey, payload: Record<string, unknown>): Promise<string> {
  const input = `${b64({ alg: key.algorithm, typ: 'JWT' })}.${b64(payload)}`;
  const signature = await key.sign(new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

/** A Signer over `mintWithKey`: binds the path + query the transport sends, as the real signers do. */
export function keySigner(key: SigningKey): Signer {
  return {
    async sign(request) {
      const now = Math.floor(Date.now() / 1000);
      return { Authorization: `Bearer ${await mintWithKey(key, { uri: request.url, method: request.method, iat: now, exp: now + 60 })}` };
    },
  };
}

/** A node:http server on 127.0.0.1 that records the headers and URL of every request it gets. */
export interface RecordingServer {
  readonly baseURL: string;
  readonly received: { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function startServer(): Promise<RecordingServer> {
  const received: RecordingServer['received'] = [];
  const server: Server = createServer((req, res) => {
    received.push({ url: req.url ?? '', headers: req.headers });
    req.resume().on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The bearer token a recorded request carried. */
export const bearer = (headers: IncomingHttpHeaders): string => (headers.authorization ?? '').replace(/^Bearer /, '');
