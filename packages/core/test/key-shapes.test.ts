import { Buffer } from 'node:buffer';
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { jwtSigner, requestSigner } from '@signet/core';
import { bearerToken, thrownSignetError, verifyToken } from './helpers.js';

// Keys in the shapes people actually have: a PEM squeezed into one line of a .env file, an indented PEM from a
// YAML block or a template literal, bare base64 DER from a secrets manager. Each unambiguous one is accepted and
// signs tokens an independent verifier (jsonwebtoken) accepts; a file path gets a hint, and no key material or path
// is ever echoed.

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pkcs8Pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const pkcs1Pem = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const base64 = (der: Buffer): string => der.toString('base64');
const wrapped = (text: string): string => text.replace(/(.{64})/g, '$1\n');

async function rs256Token(privateKey: string | Buffer): Promise<string> {
  const signer = requestSigner({ apiKey: 'ak-shapes', privateKey });
  return bearerToken(await signer.sign({ method: 'GET', url: '/v1/shapes' }));
}

describe('RSA keys in the shapes people hold them are accepted, and their tokens verify', () => {
  const shapes: Array<[string, string | Buffer]> = [
    ['a PKCS#8 PEM on one line with literal \\n (.env style)', pkcs8Pem.replace(/\n/g, '\\n')],
    ['a PKCS#1 PEM on one line with literal \\n', pkcs1Pem.replace(/\n/g, '\\n')],
    ['a PEM on one line with literal \\r\\n', pkcs8Pem.replace(/\n/g, '\\r\\n')],
    [
      'an indented PEM (spaces before every line)',
      pkcs8Pem
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n'),
    ],
    [
      'a PEM indented with tabs and CRLF line ends',
      pkcs1Pem
        .split('\n')
        .map((line) => `\t${line}`)
        .join('\r\n'),
    ],
    [
      'an indented PEM as a Buffer',
      Buffer.from(
        pkcs8Pem
          .split('\n')
          .map((line) => `  ${line}`)
          .join('\n'),
      ),
    ],
    ['bare base64 of a PKCS#8 DER', base64(rsa.privateKey.export({ type: 'pkcs8', format: 'der' }))],
    ['bare base64 of a PKCS#1 DER', base64(rsa.privateKey.export({ type: 'pkcs1', format: 'der' }))],
    ['bare base64 of a PKCS#8 DER, wrapped at 64 columns', wrapped(base64(rsa.privateKey.export({ type: 'pkcs8', format: 'der' })))],
    ['bare base64 of a PKCS#8 DER, read from a file into a Buffer', Buffer.from(`${base64(rsa.privateKey.export({ type: 'pkcs8', format: 'der' }))}\n`)],
  ];

  it.each(shapes)('%s', async (_name, privateKey) => {
    const { payload } = verifyToken(await rs256Token(privateKey), rsa.publicKey);
    expect(payload.sub).toBe('ak-shapes');
    expect(payload.uri).toBe('/v1/shapes');
  });
});

describe('EC keys (ES256) in the same shapes', () => {
  const ecShapes: Array<[string, string]> = [
    ['bare base64 of a SEC1 DER', base64(ec.privateKey.export({ type: 'sec1', format: 'der' }))],
    ['bare base64 of a PKCS#8 DER', base64(ec.privateKey.export({ type: 'pkcs8', format: 'der' }))],
    ['a SEC1 PEM on one line with literal \\n', ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString().replace(/\n/g, '\\n')],
  ];

  it.each(ecShapes)('%s', async (_name, key) => {
    const headers = await jwtSigner({ algorithm: 'ES256', key, claims: { sub: 'svc-ec' } }).sign({ method: 'GET', url: '/' });
    const claims = jwt.verify(bearerToken(headers), ec.publicKey, { algorithms: ['ES256'] }) as jwt.JwtPayload;
    expect(claims.sub).toBe('svc-ec');
  });
});

describe('shapes that are not a key get a hint, and nothing of what was passed is echoed', () => {
  const paths = ['/etc/signet/private-key.pem', './keys/signing.pem', '../secrets/key', '~/keys/api.key', 'C:\\keys\\signing.pem', 'private.pem'];

  it.each(paths)('a file path (%s) is ERR_KEY_INVALID saying to pass the file contents, without the path', (path) => {
    const error = thrownSignetError(() => requestSigner({ apiKey: 'ak', privateKey: path }), 'ERR_KEY_INVALID');
    expect(error.message).toContain("looks like a file path, not a key: pass the file's contents (fs.readFileSync(path))");
    expect(error.message).not.toContain(path);
    expect(error.message).not.toContain('signing');
  });

  it('bare base64 of a public key (SPKI) is ERR_KEY_NOT_PRIVATE', () => {
    const spki = base64(rsa.publicKey.export({ type: 'spki', format: 'der' }));
    const error = thrownSignetError(() => requestSigner({ apiKey: 'ak', privateKey: spki }), 'ERR_KEY_NOT_PRIVATE');
    expect(error.message).not.toContain(spki.slice(20, 40));
  });

  it('base64 that is no key is ERR_KEY_INVALID, and its text is not in the message', () => {
    const noise = base64(Buffer.alloc(600, 7));
    const error = thrownSignetError(() => requestSigner({ apiKey: 'ak', privateKey: noise }), 'ERR_KEY_INVALID');
    expect(error.message).not.toContain(noise.slice(0, 16));
    expect(error.message).not.toContain('file path');
  });

  it('a one-line PEM whose body was cut is ERR_KEY_INVALID, and no line of it is in the message', () => {
    const body = pkcs8Pem.split('\n').slice(1, -2);
    const cut = [pkcs8Pem.split('\n')[0], ...body.slice(0, 5), pkcs8Pem.split('\n').at(-2)].join('\\n');
    const error = thrownSignetError(() => requestSigner({ apiKey: 'ak', privateKey: cut }), 'ERR_KEY_INVALID');
    for (const line of body.slice(0, 5)) expect(error.message).not.toContain(line.slice(0, 16));
  });
});
