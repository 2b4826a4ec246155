import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import ccxt from 'ccxt';
import jwt from 'jsonwebtoken';

export const ACCESS_KEY = 'upbit-access-key-0123456789abcdefghij';
export const SECRET_KEY = 'upbit-secret-key-for-tests-only-0123456789';
export const NONCE = '3f1c2a9e-5b7d-4c1e-9a0b-7e6f5d4c3b2a';
export const NOW_MS = 1_700_000_000_123;

/** What ccxt's own `sign()` produces for one request, offline: its uuid and clock pinned. */
export function ccxtSign(id: 'upbit' | 'bithumb', path: string, method: string, params: Record<string, unknown>) {
  const exchange = new ccxt[id]({ apiKey: ACCESS_KEY, secret: SECRET_KEY });
  exchange.uuid = () => NONCE;
  exchange.milliseconds = () => NOW_MS;
  const signed = exchange.sign(path, 'private', method, params) as { url: string; body?: string; headers: Record<string, string> };
  const url = new URL(signed.url);
  return {
    wire: url.pathname + url.search,
    body: signed.body === undefined ? undefined : Buffer.from(signed.body, 'utf8'),
    authorization: signed.headers['Authorization'] as string,
  };
}

/** The token's claims as jsonwebtoken verifies them with the secret (an independent HS256/HS512 check). */
export function verifiedClaims(authorization: string | undefined, secret = SECRET_KEY): Record<string, unknown> {
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!match) throw new Error('no bearer token');
  return jwt.verify(match[1] as string, secret, { algorithms: ['HS256', 'HS512'] }) as Record<string, unknown>;
}

export const sha512Hex = (text: string): string => createHash('sha512').update(text, 'utf8').digest('hex');

/**
 * The parameters of a request as the server received it, written by the providers' documented rules, computed
 * here without Signet: URLSearchParams decodes the query (`+` and `%XX`), a JSON body gives its entries (a list
 * repeats its key, as Python's `urlencode(…, doseq=True)`).
 * - `upbit`: `unquote(urlencode(params, doseq=True))`: decoded, a space as `+`;
 * - `raw`: decoded, written as is (what Bithumb's server accepts for Korean text and spaces).
 */
export function documentedHashInput(url: string, body: Buffer, rule: 'upbit' | 'raw'): string | undefined {
  const mark = url.indexOf('?');
  let pairs: [string, string][] = mark === -1 ? [] : [...new URLSearchParams(url.slice(mark + 1))];
  if (pairs.length === 0 && body.length > 0) {
    const object = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    pairs = Object.entries(object).flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((item): [string, string] => [key, String(item)]));
  }
  if (pairs.length === 0) return undefined;
  const write = rule === 'upbit' ? (text: string) => text.replaceAll(' ', '+') : (text: string) => text;
  return pairs.map(([key, value]) => `${write(key)}=${write(value)}`).join('&');
}
