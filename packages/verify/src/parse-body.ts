import type { Buffer } from 'node:buffer';

/**
 * The verified body as an app expects it from a body parser: JSON content types parsed (the bytes when they are
 * not valid JSON), `application/x-www-form-urlencoded` as an object, no body as `undefined`, anything else as the
 * Buffer itself.
 * @internal
 */
export function parsedBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return undefined;
  const type = String(contentType ?? '').toLowerCase();
  if (/^application\/([\w.+-]+\+)?json\b/.test(type)) {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      return body;
    }
  }
  if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  return body;
}
