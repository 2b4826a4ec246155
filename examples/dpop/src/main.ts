import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSignedAxios } from '@signet/axios';
import { dpopSigner } from '@signet/core';
import { dpopVerifier } from '@signet/verify';

// A resource server on 127.0.0.1 that demands DPoP proofs (RFC 9449) bound to the access token it issued, and a
// server nonce: a proof without the current one is answered 401 with a fresh DPoP-Nonce, once.
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const accessToken = `at_${randomBytes(12).toString('hex')}`;
const signer = dpopSigner({ privateKey, accessToken });
let nonce = randomBytes(8).toString('hex');
let hits = 0;
const server = createServer((req, res) => {
  hits += 1;
  void read(req).then(async (body) => {
    try {
      const claims = await verifier.verify({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ htu: claims.htu, bytes: body.length }));
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'internal';
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (code === 'ERR_DPOP_NONCE') {
        nonce = randomBytes(8).toString('hex');
        Object.assign(headers, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': nonce });
      }
      res.writeHead(401, headers).end(JSON.stringify({ error: code }));
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
// The access token's cnf.jkt, as an authorization server would have bound it: the client key's thumbprint.
const verifier = dpopVerifier({ origin, requireAccessToken: true, jkt: ({ accessToken: token }) => (token === accessToken ? signer.thumbprint : undefined), checkNonce: (given) => given === nonce });

const api = createSignedAxios(signer, { baseURL: origin, validateStatus: () => true });
let failures = 0;
const report = (label: string, status: number, data: { htu?: string; bytes?: number; error?: string }, sent: number, expected: [number, number]): void => {
  const ok = status === expected[0] && sent === expected[1];
  if (!ok) failures += 1;
  const what = status === 200 ? `verified  htu=${data.htu}  (${data.bytes} bytes)` : `rejected  ${data.error}`;
  console.log(`dpop        ${label.padEnd(16)} ${status}  ${what}  [${sent} request${sent === 1 ? '' : 's'}]${ok ? '' : `   <- expected ${expected[0]} in ${expected[1]}`}`);
};
try {
  let before = hits;
  const first = await api.get<Parameters<typeof report>[2]>('/v1/accounts', { params: { limit: 2 } });
  report('GET, nonce asked', first.status, first.data, hits - before, [200, 2]);
  before = hits;
  const post = await api.post<Parameters<typeof report>[2]>('/v1/transfers', { amount: 1250, currency: 'EUR' });
  report('JSON POST', post.status, post.data, hits - before, [200, 1]);
} finally {
  server.close();
}
process.exitCode = failures === 0 ? 0 : 1;

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
