import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSignedAxios } from '@signet/axios';
import { decodeJwt, jwtSigner } from '@signet/core';
import jwt from 'jsonwebtoken';

// Your own API, verifying bearer tokens with jsonwebtoken: an HS256 service secret and an ES256 key pair.
const secret = randomBytes(32);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const { header } = decodeJwt(token); // routing on alg only; trust comes from jwt.verify below
    try {
      const claims = jwt.verify(token, header['alg'] === 'ES256' ? publicKey : secret, { algorithms: [header['alg'] === 'ES256' ? 'ES256' : 'HS256'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ verified: claims }));
    } catch (error) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const clients = {
  HS256: createSignedAxios(jwtSigner({ algorithm: 'HS256', key: secret, claims: { sub: 'svc-billing', role: 'admin' } }), { baseURL, validateStatus: () => true }),
  // Claims may depend on the request: here the token names the path it was made for.
  ES256: createSignedAxios(jwtSigner({ algorithm: 'ES256', key: privateKey, claims: (request) => ({ sub: 'svc-reports', path: request.url }) }), { baseURL, validateStatus: () => true }),
};

let failures = 0;
try {
  for (const [alg, client] of Object.entries(clients)) {
    const { status, data } = await client.get<unknown>('/internal/reports', { params: { month: '2026-11' } });
    if (status !== 200) failures += 1;
    console.log(`JWT ${alg}  GET /internal/reports  ${status}  ${JSON.stringify(data)}`);
  }
} finally {
  server.closeAllConnections();
  server.close();
}
process.exitCode = failures === 0 ? 0 : 1;
