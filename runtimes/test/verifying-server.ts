import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify as verifySignature } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmbeddedJWK, importSPKI, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';

// The verifying server of the runtime tests: a node:http server on 127.0.0.1, run by vitest in Node, that hands the
// driver its keys (/config) and verifies every signed request with independent code (jsonwebtoken, jose,
// node:crypto), never with Signet. The wire is the truth: what it recorded is what the tests assert.

const JSON_BODY = '{"amount":1250,"note":"Grüße 🚀"}';

interface Request {
  method: string;
  url: string;
  host: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

const sha256 = (bytes: Buffer | string): Buffer => createHash('sha256').update(bytes).digest();
const header = (request: Request, name: string): string => {
  const value = request.headers[name];
  if (typeof value !== 'string') throw new Error(`no ${name} header`);
  return value;
};
const bearer = (request: Request): string => /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header(request, 'authorization'))?.[1] ?? fail('no Bearer JWT');
function fail(message: string): never {
  throw new Error(message);
}
/** JSON with object keys sorted, so that equal objects compare equal whatever their key order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) => (inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner));
function same(actual: unknown, expected: unknown, what: string): void {
  if (canonical(actual) !== canonical(expected)) fail(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

function keys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const pem = (key: typeof rsa.privateKey) => key.export({ type: 'pkcs8', format: 'pem' }) as string;
  const spki = (key: typeof rsa.publicKey) => key.export({ type: 'spki', format: 'pem' }) as string;
  return {
    apiKey: 'runtime-key-1',
    secret: randomBytes(32).toString('base64url'),
    accessToken: 'access-token-for-dpop',
    rsaPrivate: pem(rsa.privateKey),
    rsaPublic: spki(rsa.publicKey),
    ecPrivate: pem(ec.privateKey),
    ecPublic: spki(ec.publicKey),
    edPrivate: pem(ed.privateKey),
    edPublic: spki(ed.publicKey),
  };
}
type Config = ReturnType<typeof keys>;

/** The claims of Signet's per-request RS256 scheme, checked against the request line and the bytes received. */
function checkPerRequest(request: Request, config: Config, emptyBody: string): jwt.JwtPayload {
  const claims = jwt.verify(bearer(request), config.rsaPublic, { algorithms: ['RS256'] }) as jwt.JwtPayload;
  same(claims.uri, request.url, 'uri');
  same(claims.sub, config.apiKey, 'sub');
  same(claims.bodyHash, sha256(request.body.length > 0 ? request.body : emptyBody).toString('hex'), 'bodyHash');
  return claims;
}

/** Each scheme's check, by case name (the driver's names). Throws what did not verify. */
const CHECKS: Record<string, (request: Request, config: Config) => Promise<void> | void> = {
  'requestSigner RS256': (request, config) => void checkPerRequest(request, config, '{}'),
  portOneSigner: (request, config) => {
    const claims = jwt.verify(bearer(request), config.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    same(claims.sub, config.apiKey, 'sub');
    same(header(request, 'x-portone-client-key'), config.apiKey, 'X-Portone-Client-Key');
  },
  twoCheckoutSigner: (request, config) => {
    const claims = jwt.verify(header(request, 'merchant-token'), config.secret, { algorithms: ['HS512'] }) as jwt.JwtPayload;
    same(claims.sub, config.apiKey, 'sub');
  },
  'jwtSigner HS256': (request, config) => same((jwt.verify(bearer(request), config.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload).sub, config.apiKey, 'sub'),
  'jwtSigner ES256': async (request, config) => same((await jwtVerify(bearer(request), await importSPKI(config.ecPublic, 'ES256'), { algorithms: ['ES256'] })).payload.sub, config.apiKey, 'sub'),
  'jwtSigner EdDSA': async (request, config) => same((await jwtVerify(bearer(request), await importSPKI(config.edPublic, 'EdDSA'), { algorithms: ['EdDSA'] })).payload.sub, config.apiKey, 'sub'),
  fireblocksSigner: (request, config) => {
    const claims = checkPerRequest(request, config, '');
    if (typeof claims['nonce'] !== 'string' || claims['nonce'].length === 0) fail('no nonce');
    same(header(request, 'x-api-key'), config.apiKey, 'X-API-Key');
  },
  coinbaseSigner: async (request, config) => {
    const { payload, protectedHeader } = await jwtVerify(bearer(request), await importSPKI(config.ecPublic, 'ES256'), { algorithms: ['ES256'] });
    same([protectedHeader.kid, protectedHeader.typ, typeof protectedHeader['nonce']], [config.apiKey, 'JWT', 'string'], 'header kid, typ, nonce');
    same([payload.iss, payload.sub, payload['uri']], ['cdp', config.apiKey, `${request.method} ${request.host}${request.url.split('?')[0]}`], 'iss, sub, uri');
  },
  dpopSigner: async (request, config) => {
    const { payload, protectedHeader } = await jwtVerify(header(request, 'dpop'), EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
    same(protectedHeader.jwk, createPublicKey(config.ecPublic).export({ format: 'jwk' }), 'jwk');
    same([payload['htm'], payload['htu']], [request.method, `http://${request.host}${request.url.split('?')[0]}`], 'htm, htu');
    same(payload['ath'], sha256(config.accessToken).toString('base64url'), 'ath');
    same(header(request, 'authorization'), `DPoP ${config.accessToken}`, 'Authorization');
  },
  'httpMessageSigner ed25519': (request, config) => {
    // RFC 9421 §2.5: the signature base of ("@method" "@target-uri" "content-digest"), rebuilt from what arrived.
    const params = /^sig1=(\("@method" "@target-uri" "content-digest"\).*)$/.exec(header(request, 'signature-input'))?.[1] ?? fail('unexpected Signature-Input');
    same(header(request, 'content-digest'), `sha-256=:${sha256(request.body).toString('base64')}:`, 'Content-Digest');
    const base = [`"@method": ${request.method}`, `"@target-uri": http://${request.host}${request.url}`, `"content-digest": ${header(request, 'content-digest')}`, `"@signature-params": ${params}`].join('\n');
    const signature = /^sig1=:([A-Za-z0-9+/=]+):$/.exec(header(request, 'signature'))?.[1] ?? fail('unexpected Signature');
    if (!verifySignature(null, Buffer.from(base), config.edPublic, Buffer.from(signature, 'base64'))) fail('ed25519 signature does not verify');
  },
};

/** The body matrix: requestSigner's bodyHash over the bytes received, and those bytes are the ones the driver gave. */
const BODY_BYTES: Record<string, (request: Request) => void> = {
  'body: string': (request) => same(request.body.toString('utf8'), JSON_BODY, 'body'),
  'body: Uint8Array': (request) => same([...request.body], [0, 1, 2, 253, 254, 255], 'body'),
  'body: URLSearchParams': (request) => {
    same(request.body.toString('latin1'), 'a=1&b=%C3%BC+x%26y', 'body');
    same(request.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8', 'Content-Type');
  },
  'body: FormData': (request) => {
    const boundary = /^multipart\/form-data; ?boundary=(.+)$/.exec(header(request, 'content-type'))?.[1] ?? fail('no multipart boundary');
    const text = request.body.toString('latin1');
    // RFC 2046 §5.1.1: the CRLF after the close delimiter is optional (Deno and workerd leave it out, undici and Bun send it).
    if (!text.startsWith(`--${boundary}\r\n`) || !/--\r?\n?$/.test(text) || !text.replace(/\r\n$/, '').endsWith(`--${boundary}--`)) fail('body is not framed by the Content-Type boundary');
    if (!text.includes('name="note"\r\n\r\nhello\r\n') || !text.includes('filename="f.bin"') || !text.includes('\r\n\r\n\xff\x00A\r\n')) fail('form fields missing');
  },
  'body: Blob': (request) => same([...request.body], [...Buffer.concat([Buffer.from('blob body '), Buffer.from([0xff, 0]), Buffer.from(' end')])], 'body'),
  'body: ReadableStream': (request) => same(request.body.toString('utf8'), 'stream body in three chunks', 'body'),
};
for (const [name, bytes] of Object.entries(BODY_BYTES)) {
  CHECKS[name] = (request, config) => {
    checkPerRequest(request, config, '{}');
    bytes(request);
  };
}

export interface VerifyingServer {
  origin: string;
  /** Per case: 'verified', or why the request did not verify. Only cases that reached the server appear. */
  verdicts: Map<string, string>;
  close(): Promise<void>;
}

/** Starts the verifying server on 127.0.0.1 with fresh keys. */
export async function startVerifyingServer(): Promise<VerifyingServer> {
  const config = keys();
  const mintedToken = jwt.sign({ sub: config.apiKey, uri: '/v1/pay?x=1', bodyHash: sha256(JSON_BODY).toString('hex') }, config.rsaPrivate, { algorithm: 'RS256', expiresIn: 55 });
  const verdicts = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '';
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url === '/config') return answer(200, { ...config, mintedToken });
      const name = decodeURIComponent(/^\/verify\/([^?]+)/.exec(url)?.[1] ?? '');
      const check = CHECKS[name];
      if (check === undefined) return answer(404, { error: `no case ${name}` });
      const request: Request = { method: req.method ?? '', url, host: req.headers.host ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      Promise.resolve()
        .then(() => check(request, config))
        .then(
          () => {
            verdicts.set(name, 'verified');
            answer(200, { ok: true });
          },
          (error: unknown) => {
            const reason = error instanceof Error ? error.message : String(error);
            verdicts.set(name, reason);
            answer(401, { error: reason });
          },
        );
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    verdicts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
