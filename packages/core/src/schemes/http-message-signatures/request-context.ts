import { SignetError } from '../../errors.js';
import { ownValue } from '../../options.js';
import type { SignableRequest } from '../../types.js';
import type { MessageContext, StructuredFieldType } from './components.js';

/**
 * @internal What the signer derives components from: the request as the transport will send it. Header names are
 * lowercased; `added` are the fields the signer itself sets (Content-Digest), which it covers as it sends them.
 * `content-length` is what every transport sends for a body of bytes, its length; a bodiless request has none.
 */
export function requestContext(request: SignableRequest, added: Readonly<Record<string, string>>, structuredFields: Readonly<Record<string, StructuredFieldType>>): MessageContext {
  const method = ownValue(request, 'method');
  const target = ownValue(request, 'url');
  if (typeof method !== 'string' || method === '') throw new SignetError('ERR_INVALID_REQUEST', 'sign() needs the request method as a string.');
  if (typeof target !== 'string' || !target.startsWith('/')) throw new SignetError('ERR_INVALID_REQUEST', 'sign() needs url as the path + query sent, starting with "/".');
  const fields = new Map<string, string[]>();
  const headers = ownValue(request, 'headers');
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null) throw new SignetError('ERR_INVALID_REQUEST', 'request.headers must be an object of header names to string values.');
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value === 'string') fields.set(name.toLowerCase(), [value]);
    }
  }
  for (const [name, value] of Object.entries(added)) fields.set(name.toLowerCase(), [value]);
  const body = request.body;
  if (!fields.has('content-length') && body !== undefined && body.byteLength > 0) fields.set('content-length', [String(body.byteLength)]);
  return { method, target, ...originParts(ownValue(request, 'origin')), fields, structuredFields };
}

function originParts(origin: unknown): { scheme?: string; authority?: string } {
  if (origin === undefined) return {};
  let url: URL | undefined;
  try {
    url = typeof origin === 'string' ? new URL(origin) : undefined;
  } catch {
    url = undefined;
  }
  const bare = url !== undefined && url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if (url === undefined || !bare || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new SignetError('ERR_INVALID_REQUEST', "request.origin must be an http(s) origin such as 'https://api.example.com'.");
  }
  // URL has lowercased the host and dropped the scheme's default port (RFC 9110 §4.2.3), as @authority wants.
  return { scheme: url.protocol.slice(0, -1), authority: url.host };
}
