import { Buffer } from 'node:buffer';
import { type Socket, connect } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { SignetError, requestSigner } from '@signet/core';
import { type ReplayStore, type Verifier, requestVerifier, signetMiddleware, withSignet } from '@signet/verify';
import { type ServerKind, SERVER_KINDS, expressOf, listen } from './support/servers.js';
import { testKeys } from '@signet/test-support';

const rsa = testKeys().rsa;
const MiB = 1024 * 1024;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Raw HTTP over one socket: what came back, whether the server closed, and whether it answered before `deadlineMs`. */
interface RawExchange {
  socket: Socket;
  answer: Promise<{ head: string; closed: boolean } | 'no answer'>;
}

function rawRequest(port: number, head: string, bodyPart: Buffer, deadlineMs = 5_000): RawExchange {
  const socket = connect(port, '127.0.0.1');
  socket.write(head);
  if (bodyPart.length > 0) socket.write(bodyPart);
  let received = '';
  const answer = new Promise<{ head: string; closed: boolean } | 'no answer'>((resolve) => {
    const guard = setTimeout(() => resolve('no answer'), deadlineMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ head: received, closed: true });
    });
  });
  return { socket, answer };
}

async function serve(kind: ServerKind, verifier: Verifier): Promise<{ port: number; handled: () => number; errors: unknown[] }> {
  let handled = 0;
  const errors: unknown[] = [];
  let listener;
  if (kind === 'node:http') {
    listener = withSignet(verifier, (_req, res) => {
      handled += 1;
      res.end('ok');
    });
  } else {
    const app = expressOf(kind)();
    app.use(signetMiddleware(verifier));
    app.use((_req: express.Request, res: express.Response) => {
      handled += 1;
      res.end('ok');
    });
    app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      errors.push(error);
      res.status(500).end();
    });
    listener = app;
  }
  const server = await listen(listener);
  closers.push(server.close);
  return { port: Number(new URL(server.origin).port), handled: () => handled, errors };
}

const verifier = (): Verifier => requestVerifier({ publicKey: rsa.publicKey });

describe.each(SERVER_KINDS)('authentication before the body (%s)', (kind) => {
  it('a junk token with a stalled 1 MiB body is answered 401 at once, without waiting for the body, and the connection closed', async () => {
    const { port, handled } = await serve(kind, verifier());
    const head = `POST /v1/payments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer junk.junk.junk\r\nContent-Type: application/json\r\nContent-Length: ${MiB}\r\n\r\n`;
    const exchange = rawRequest(port, head, Buffer.from('{"amount":'));
    const answer = await exchange.answer;
    exchange.socket.destroy();
    expect(answer).not.toBe('no answer');
    expect((answer as { head: string }).head).toMatch(/^HTTP\/1\.1 401 /);
    expect((answer as { head: string }).head).toMatch(/\r\nconnection: close\r\n/i);
    expect(handled()).toBe(0);
  });

  it('an unsigned request is answered 401 without its body, however many arrive at once (300 stalled uploads)', async () => {
    const { port } = await serve(kind, verifier());
    const head = `POST /v1/payments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${MiB}\r\n\r\n`;
    const exchanges = Array.from({ length: 300 }, () => rawRequest(port, head, Buffer.alloc(16, 0x20), 20_000));
    const answers = await Promise.all(exchanges.map((exchange) => exchange.answer));
    for (const exchange of exchanges) exchange.socket.destroy();
    const statuses = answers.map((answer) => (answer === 'no answer' ? 'none' : answer.head.slice(9, 12)));
    expect(new Set(statuses)).toEqual(new Set(['401']));
  });

  it('a valid token whose upload is cut short is neither answered nor reported as a server error', async () => {
    const { port, handled, errors } = await serve(kind, verifier());
    const body = Buffer.from('{"amount":100}');
    const signer = requestSigner({ apiKey: 'ak', privateKey: rsa.privateKey });
    const { Authorization } = await signer.sign({ method: 'POST', url: '/v1/payments', body });
    const head = `POST /v1/payments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${Authorization}\r\nContent-Length: ${body.length}\r\n\r\n`;
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const exchange = rawRequest(port, head, body.subarray(0, 5));
      await new Promise((resolve) => setTimeout(resolve, 50));
      exchange.socket.destroy();
      await exchange.answer;
      // Whatever the server does with the aborted request happens on its next turns.
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      console.error = original;
    }
    expect(handled()).toBe(0);
    expect(errors).toEqual([]);
    expect(logged).toEqual([]);
  });
});

describe('everything the middleware passes on is a SignetError', () => {
  it('a body parser mounted before the middleware is ERR_BODY_CONSUMED for the app error handler, not a plain Error', async () => {
    const app = express();
    const errors: unknown[] = [];
    app.use(express.json());
    app.use(signetMiddleware(verifier()));
    app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      errors.push(error);
      res.status(500).end();
    });
    const server = await listen(app);
    closers.push(server.close);
    const response = await fetch(`${server.origin}/v1/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SignetError);
    expect((errors[0] as SignetError).code).toBe('ERR_BODY_CONSUMED');
  });

  it.each([
    ['a replay store that throws a plain Error', { claim: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.7:6379')) }, 'ERR_REPLAY_STORE_UNAVAILABLE'],
    ['a replay store that answers something other than a boolean', { claim: () => Promise.resolve('OK' as unknown as boolean) }, 'ERR_TOKEN_REPLAYED'],
  ] as Array<[string, ReplayStore, string]>)('%s: a JSON refusal with its code, never an accept or an HTML 500', async (_name, replay, code) => {
    const app = express();
    app.use(signetMiddleware(requestVerifier({ publicKey: rsa.publicKey, replay })));
    app.use((_req: express.Request, res: express.Response) => res.end('accepted'));
    const server = await listen(app);
    closers.push(server.close);
    const signer = requestSigner({ apiKey: 'ak', privateKey: rsa.privateKey, nonce: true });
    const response = await fetch(`${server.origin}/v1/x`, { headers: await signer.sign({ method: 'GET', url: '/v1/x' }) });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ error: code });
    expect(response.status).toBe(code === 'ERR_REPLAY_STORE_UNAVAILABLE' ? 503 : 401);
  });
});
