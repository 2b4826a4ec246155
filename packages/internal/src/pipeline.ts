import { SignetError, type SignableRequest, type Signer } from '@signet/core';
import { optionNames } from '../../core/src/options.js';
import { checkSignedHeaders, pinnedOrigins, refusedRedirect } from './transport.js';

// The one transport pipeline @signet/axios and @signet/fetch share: their options, and sign → check the headers →
// send → learn the server's clock → (once) sign again on it → refuse a redirect. The adapters only translate their
// transport's request into a SignableRequest and the answer back.

/** @internal The most bytes of a stream body buffered to be hashed, unless `maxBufferedBodyBytes` says otherwise. */
export const DEFAULT_MAX_BUFFERED_BODY_BYTES = 10 * 1024 * 1024;

/** @internal The options every signed transport takes. */
export interface TransportOptions {
  maxBufferedBodyBytes?: number;
  allowedOrigins?: readonly string[];
  clockSkew?: 'off' | 'auto';
  maxClockSkewSeconds?: number;
}

/** @internal */
export const TRANSPORT_OPTIONS = optionNames<TransportOptions>({ maxBufferedBodyBytes: true, allowedOrigins: true, clockSkew: true, maxClockSkewSeconds: true });

/** @internal What the server's `Date` headers taught a transport (`clockSkew: 'auto'`); one per client. */
export interface ServerClock {
  auto: boolean;
  maxSeconds: number;
  offsetSeconds: number;
}

/** @internal What one signed client knows: its signer, its limits, its origins, its view of the server's clock. */
export interface Transport {
  signer: Signer;
  maxBufferedBodyBytes: number;
  allowedOrigins: ReadonlySet<string>;
  clock: ServerClock;
}

/** @internal Something with a `sign` function: what every Signet signer is. */
export function isSigner(value: unknown): value is Signer {
  return typeof value === 'object' && value !== null && typeof (value as { sign?: unknown }).sign === 'function';
}

/** @internal Refuses a first argument that is not a signer, saying so plainly when the arguments were swapped. */
export function assertSignerFirst(signer: unknown, second: unknown, fn: string, secondName: string, usage: string): asserts signer is Signer {
  if (isSigner(signer)) return;
  throw new SignetError('ERR_INVALID_OPTION', isSigner(second) ? `${fn} takes the signer first, then ${secondName}: ${usage}.` : `${fn} needs a Signer (e.g. from requestSigner()) as its first argument: ${usage}.`);
}

/** @internal Checks the transport options (already read as own properties) and pins the origins. */
export function transportOf(signer: Signer, baseURL: unknown, options: Partial<TransportOptions>): Transport {
  const { maxBufferedBodyBytes = DEFAULT_MAX_BUFFERED_BODY_BYTES, clockSkew = 'off', maxClockSkewSeconds = 600 } = options;
  if (typeof maxBufferedBodyBytes !== 'number' || !(maxBufferedBodyBytes >= 0)) {
    throw new SignetError('ERR_INVALID_OPTION', 'maxBufferedBodyBytes must be a number of bytes (0 or more, Infinity allowed).');
  }
  if (clockSkew !== 'off' && clockSkew !== 'auto') throw new SignetError('ERR_INVALID_OPTION', "clockSkew must be 'off' or 'auto'.");
  if (!Number.isSafeInteger(maxClockSkewSeconds) || maxClockSkewSeconds <= 0 || maxClockSkewSeconds > 86_400) {
    throw new SignetError('ERR_INVALID_OPTION', 'maxClockSkewSeconds must be a whole number of seconds from 1 to 86400.');
  }
  return {
    signer,
    maxBufferedBodyBytes,
    allowedOrigins: pinnedOrigins(baseURL, options.allowedOrigins),
    clock: { auto: clockSkew === 'auto', maxSeconds: maxClockSkewSeconds, offsetSeconds: 0 },
  };
}

/** @internal What the pipeline needs of one answer: its status and headers, and for the signer its body as text. */
export interface Answer {
  status: number;
  header(name: string): unknown;
  /** Every header, names lower-cased, for `Signer.onResponse`. */
  headers(): Record<string, string>;
  /** The body as text, when the transport can read it without consuming it; else `undefined`. */
  text(): Promise<string | undefined>;
}

/** @internal How one transport sends a signed attempt and reads what came back. */
export interface Attempts<T> {
  /** Sends the request with these signed headers; an HTTP answer of any status resolves. */
  send(signed: Record<string, string>): Promise<T>;
  /** The answer an outcome holds, if any. */
  answer(outcome: T): Answer | undefined;
  /** Lets go of an outcome that is not returned: the one resent on the server's clock, or a refused redirect. */
  release(outcome: T): void | Promise<void>;
  /** The caller asked to see redirects (axios `maxRedirects: 0`, fetch `redirect: 'manual'`). */
  passRedirects: boolean;
}

/**
 * Signs `request` (on the server's clock once `clockSkew: 'auto'` learned it), checks the signed headers, sends,
 * learns the server's clock from the answer's `Date`, shows the answer to the signer (`onResponse`), signs and sends
 * once more when a 401 reveals a skew of 5 s or more or the signer asks, and refuses a redirect answer with
 * `ERR_REDIRECT_REFUSED`.
 * @internal
 */
export async function sendSigned<T>(transport: Transport, request: SignableRequest, attempts: Attempts<T>): Promise<T> {
  const { clock } = transport;
  const once = async (): Promise<T> => {
    const signingTime = clock.offsetSeconds === 0 ? undefined : Date.now() + clock.offsetSeconds * 1000;
    const signed = await transport.signer.sign({ ...request, ...(signingTime === undefined ? {} : { signingTime }) });
    checkSignedHeaders(signed);
    const outcome = await attempts.send(signed);
    learnServerClock(clock, attempts.answer(outcome));
    return outcome;
  };
  const usedOffset = clock.offsetSeconds;
  let outcome = await once();
  const signerAsks = await tellSigner(transport.signer, request.origin, attempts.answer(outcome));
  // Concurrent first requests all went out on the old offset: each one the server refused is resent, once. The
  // signer may ask for one more attempt too (a DPoP nonce the server demands). Either way: signed afresh, sent once more.
  if (signerAsks || (clock.auto && attempts.answer(outcome)?.status === 401 && Math.abs(clock.offsetSeconds - usedOffset) >= 5)) {
    await attempts.release(outcome);
    outcome = await once();
    await tellSigner(transport.signer, request.origin, attempts.answer(outcome));
  }
  const answer = attempts.answer(outcome);
  const redirect = answer && !attempts.passRedirects ? refusedRedirect(answer.status, answer.header('location')) : undefined;
  if (redirect) {
    await attempts.release(outcome);
    throw redirect;
  }
  return outcome;
}

/** Shows the signer the answer (`Signer.onResponse`); `true` when it asks for the request to be signed again. */
async function tellSigner(signer: Signer, origin: string | undefined, answer: Answer | undefined): Promise<boolean> {
  if (signer.onResponse === undefined || answer === undefined || origin === undefined) return false;
  return (await signer.onResponse({ origin, status: answer.status, headers: answer.headers(), body: () => answer.text() })) === 'retry';
}

/**
 * With `clockSkew: 'auto'`, reads the server's `Date` header (only ever from a pinned origin, as nothing else is
 * requested) and keeps the offset when it moves by 2 s or more and stays within the bound.
 */
function learnServerClock(clock: ServerClock, answer: Answer | undefined): void {
  if (!clock.auto || answer === undefined) return;
  const header = answer.header('date');
  const date = Date.parse(typeof header === 'string' ? header : '');
  if (Number.isNaN(date)) return;
  // Date has whole seconds: the server's clock is somewhere in the second after it; take the middle.
  const offset = Math.round((date + 500 - Date.now()) / 1000);
  if (Math.abs(offset) > clock.maxSeconds || Math.abs(offset - clock.offsetSeconds) < 2) return;
  clock.offsetSeconds = offset;
}
