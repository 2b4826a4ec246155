import { SignetError } from '../errors.js';
import { hexOf } from '../platform/bytes.js';
import { digestSync } from '../platform/crypto.js';

/**
 * How a request's parameters become the string whose SHA-512 is the `query_hash` claim of Upbit and Bithumb:
 * - `'upbit'`: Upbit's documented `unquote(urlencode(params, doseq=True))`: every key and value decoded, spaces
 *   written as `+` (what Python's `urlencode` then `unquote` leave), nothing else encoded;
 * - `'raw'`: keys and values decoded and written as they are, spaces too (what Bithumb's server recomputes, as its
 *   users found: the encoded form of Korean text or of a space is refused there);
 * - `'encoded'`: the query exactly as sent on the wire, and a body's parameters URL-encoded as Python's
 *   `urlencode` does (Bithumb's documentation and ccxt's form).
 * @internal
 */
export type QueryHashForm = 'upbit' | 'raw' | 'encoded';

/** One decoded `key=value` pair, in the order of the request. */
type Pair = readonly [key: string, value: string];

/** The parameters of a request, read from its query or its body, and where they came from. */
export interface RequestParams {
  source: 'none' | 'query' | 'body';
  /** The string whose SHA-512 is `query_hash`; `undefined` when there are no parameters (then no claim). */
  hashInput: string | undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The parameters Upbit and Bithumb hash, from the request exactly as sent: the query of `url` (path + query,
 * percent-encoded) or, for a body, its JSON object (or form) parameters. A request with both is refused: the
 * providers hash one or the other, and a token that hashed one would let the other be changed freely.
 * @internal
 */
export function requestParams(url: string, body: Uint8Array | undefined, form: QueryHashForm): RequestParams {
  const mark = url.indexOf('?');
  const query = mark === -1 ? '' : url.slice(mark + 1);
  const fromQuery = parseForm(query, 'the query');
  const fromBody = body === undefined || body.length === 0 ? [] : bodyPairs(body);
  if (fromQuery.length > 0 && fromBody.length > 0) {
    throw new SignetError(
      'ERR_INVALID_REQUEST',
      'This request has parameters in both its query and its body; Upbit and Bithumb hash only one of them: send GET/DELETE parameters in the query and POST parameters in the JSON body.',
    );
  }
  if (fromQuery.length > 0) return { source: 'query', hashInput: form === 'encoded' ? query : render(fromQuery, form) };
  if (fromBody.length > 0) return { source: 'body', hashInput: render(fromBody, form) };
  return { source: 'none', hashInput: undefined };
}

/** The `query_hash` claim: hex SHA-512 of the UTF-8 string. @internal */
export function queryHash(input: string): string {
  return hexOf(digestSync('sha512', input));
}

function render(pairs: readonly Pair[], form: QueryHashForm): string {
  const write = form === 'upbit' ? (text: string) => text.replaceAll(' ', '+') : form === 'raw' ? (text: string) => text : quotePlus;
  return pairs.map(([key, value]) => `${write(key)}=${write(value)}`).join('&');
}

/** Python's `quote_plus`: every byte but letters, digits and `_.-~` percent-encoded (uppercase), spaces as `+`. */
function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}

/** `a=1&b=2` as a server decodes it: `+` is a space, `%XX` UTF-8 bytes; empty segments carry nothing. */
function parseForm(text: string, where: string): Pair[] {
  const pairs: Pair[] = [];
  for (const segment of text.split('&')) {
    if (segment === '') continue;
    const equals = segment.indexOf('=');
    const key = equals === -1 ? segment : segment.slice(0, equals);
    const value = equals === -1 ? '' : segment.slice(equals + 1);
    pairs.push([decode(key, where), decode(value, where)]);
  }
  return pairs;
}

function decode(text: string, where: string): string {
  try {
    // decodeURIComponent refuses a malformed escape and bytes that are not UTF-8.
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new SignetError('ERR_INVALID_REQUEST', `${where} has a percent-escape that is not UTF-8 text (e.g. "%E" or "%FF"): encode parameter values as UTF-8 (encodeURIComponent, URLSearchParams).`);
  }
}

const JSON_BODY = /^\s*\{/;
const FORM_BODY = /^[\x21-\x7e]+$/;

/** The parameters of a body: a JSON object of strings, numbers, booleans (or arrays of them), or a URL-encoded form. */
function bodyPairs(body: Uint8Array): Pair[] {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw bodyRefused();
  }
  if (!JSON_BODY.test(text)) {
    if (FORM_BODY.test(text) && text.includes('=')) return parseForm(text, 'the form body');
    throw bodyRefused();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bodyRefused();
  }
  const pairs: Pair[] = [];
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    // doseq=True: a list gives one pair per element, under the same key.
    for (const item of Array.isArray(value) ? value : [value]) pairs.push([key, scalar(item, key)]);
  }
  return pairs;
}

function scalar(value: unknown, key: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new SignetError('ERR_INVALID_REQUEST', `The body parameter "${key.slice(0, 40)}" is neither a string, a number, a boolean nor a list of them: Upbit and Bithumb hash flat parameters only; send it as a string.`);
}

function bodyRefused(): SignetError {
  return new SignetError(
    'ERR_INVALID_REQUEST',
    'Upbit and Bithumb sign a body by its parameters, so the body must be a UTF-8 JSON object (e.g. JSON.stringify({ market: "KRW-BTC" })) or a URL-encoded form; send other content without this signer.',
  );
}
