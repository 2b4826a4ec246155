import type { StructuredFieldType } from '@signet/core';
import { type ComponentId, type MessageContext, serializeComponentId } from '@signet/internal';
import { headerValue } from '../claims.js';
import type { RequestHead } from '../types.js';

/**
 * @internal The received request as RFC 9421 derives components from it: the request line as received, each
 * header's field lines, and the origin the server is addressed as (or, without one, the Host header's authority).
 */
export function messageOf(head: RequestHead, origin: URL | undefined, structuredFields: Readonly<Record<string, StructuredFieldType>>): MessageContext {
  const fields = new Map<string, string[]>();
  for (const [name, value] of Object.entries(head.headers)) {
    if (value === undefined) continue;
    const lines = Array.isArray(value) ? value : [String(value)];
    fields.set(name.toLowerCase(), [...(fields.get(name.toLowerCase()) ?? []), ...lines]);
  }
  const host = headerValue(head.headers, 'host');
  const authority = origin?.host ?? host?.toLowerCase();
  return {
    method: head.method,
    target: head.url,
    ...(origin === undefined ? {} : { scheme: origin.protocol.slice(0, -1) }),
    ...(authority === undefined ? {} : { authority }),
    fields,
    structuredFields,
  };
}

// What one covered component proves of the others: the full target URI holds the scheme, authority, path and query.
const IMPLIED: Readonly<Record<string, readonly string[]>> = {
  '@target-uri': ['@scheme', '@authority', '@path', '@query'],
  '@request-target': ['@path', '@query'],
};

/** @internal The first required component the signature does not cover (directly or by implication), serialized. */
export function coverageGap(covered: readonly ComponentId[], required: readonly ComponentId[]): string | undefined {
  const names = new Set(covered.map(serializeComponentId));
  for (const id of covered) for (const name of id.params.length === 0 ? (IMPLIED[id.name] ?? []) : []) names.add(`"${name}"`);
  const gap = required.find((id) => !names.has(serializeComponentId(id)));
  return gap === undefined ? undefined : serializeComponentId(gap);
}
