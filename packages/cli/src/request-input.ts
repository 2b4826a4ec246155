import { Buffer } from 'node:buffer';
import { CliError } from './errors.js';
import { type Io, MAX_BODY_BYTES, readBounded, readStdin } from './io.js';

/** Where a body came from: the curl command refers to a file by name and repeats other bodies inline. */
export type BodySource = { kind: 'none' } | { kind: 'file'; path: string } | { kind: 'inline' };

export interface Body {
  /** The exact bytes; `undefined` when no `--data` was given. */
  bytes: Uint8Array | undefined;
  source: BodySource;
}

/** `--data`: `@path` a file's bytes, `-` (or `@-`) stdin, anything else the text itself (UTF-8). */
export async function readData(io: Io, data: string | undefined): Promise<Body> {
  if (data === undefined) return { bytes: undefined, source: { kind: 'none' } };
  if (data === '-' || data === '@-') return { bytes: await readStdin(io, MAX_BODY_BYTES, 'the body (--data -)'), source: { kind: 'inline' } };
  if (data.startsWith('@')) {
    const path = data.slice(1);
    if (path === '') throw new CliError('ERR_USAGE', '--data @ needs a file name after the @');
    return { bytes: await readBounded(io, path, MAX_BODY_BYTES, `the body file ${JSON.stringify(path)}`), source: { kind: 'file', path } };
  }
  return { bytes: Buffer.from(data, 'utf8'), source: { kind: 'inline' } };
}

/** `--method`, upper-cased (methods are case-sensitive on the wire; people type `post`); GET or POST by default. */
export function methodOf(method: string | undefined, hasBody: boolean): string {
  if (method === undefined) return hasBody ? 'POST' : 'GET';
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) throw new CliError('ERR_USAGE', `--method ${JSON.stringify(method)} is not an HTTP method name`);
  return method.toUpperCase();
}

export interface TargetUrl {
  /** Path + query as it goes on the request line: what `uri` holds. */
  uri: string;
  /** The absolute URL a client sends it to (no fragment), when `--url` was absolute. */
  absolute: string | undefined;
}

/**
 * The URL of a request about to be sent. The WHATWG URL parser decides the path + query, as it does for fetch,
 * axios through `@signet/axios`, and the curl command printed here: `/v1/a b?q='` is sent, and so signed, as
 * `/v1/a%20b?q=%27`.
 */
export function outgoingUrl(url: string): TargetUrl {
  if (url.startsWith('/')) {
    if (url.startsWith('//')) throw new CliError('ERR_USAGE', '--url must be an http(s) URL or a path starting with a single /');
    const parsed = new URL(url, 'http://signet.invalid');
    return { uri: parsed.pathname + parsed.search, absolute: undefined };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('ERR_USAGE', '--url must be an http(s) URL (https://api.example.com/v1/x) or a path (/v1/x)');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError('ERR_USAGE', `--url must be http or https, not ${parsed.protocol.slice(0, -1)}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // curl would turn them into a Basic Authorization header competing with the signed one.
    throw new CliError('ERR_USAGE', '--url must not carry user:password@ credentials');
  }
  parsed.hash = '';
  return { uri: parsed.pathname + parsed.search, absolute: parsed.href };
}

/**
 * The path + query a request was received on. A path is taken verbatim (it is what the server saw, and exactly
 * that is compared with `uri`); an absolute URL is reduced to its path + query by the WHATWG parser.
 */
export function receivedUri(url: string): string {
  return url.startsWith('/') ? url : outgoingUrl(url).uri;
}
