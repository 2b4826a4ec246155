import { ClientRequest } from 'node:http';

const REDACTED = '[REDACTED]';

/**
 * Removes the signed header values (tokens, API keys) from the request object axios attaches to responses and
 * errors, so that logging an error (util.inspect at any depth, JSON.stringify) never prints a credential. A Node
 * `ClientRequest` keeps its other fields, with the values scrubbed from its raw `_header` and its header map; any
 * other request object (the fetch adapter's Request, whose headers are immutable) is replaced by `{ method, url }`.
 * @internal
 */
export function redactRequest(request: unknown, secrets: readonly string[]): unknown {
  if (request === undefined || request === null || secrets.length === 0) return request;
  const scrub = (text: string): string => secrets.reduce((out, secret) => (secret === '' ? out : out.split(secret).join(REDACTED)), text);
  if (request instanceof ClientRequest) {
    const raw = request as ClientRequest & { _header?: unknown };
    if (typeof raw._header === 'string') raw._header = scrub(raw._header);
    // Node keeps outgoing headers under a symbol, as [name, value] pairs by lowercase name; getHeader() reads them.
    for (const symbol of Object.getOwnPropertySymbols(raw)) {
      if (symbol.description !== 'kOutHeaders') continue;
      const table = (raw as unknown as Record<symbol, Record<string, [string, unknown]> | null>)[symbol];
      for (const entry of Object.values(table ?? {})) {
        if (typeof entry[1] === 'string') entry[1] = scrub(entry[1]);
        else if (Array.isArray(entry[1])) entry[1] = entry[1].map((value: unknown) => (typeof value === 'string' ? scrub(value) : value));
      }
    }
    // A request that never connected still holds its head, credentials included, in its write queues.
    const queued = raw as unknown as { outputData?: Array<{ data?: unknown }>; socket?: { _pendingData?: unknown } | null };
    for (const entry of queued.outputData ?? []) if (typeof entry.data === 'string') entry.data = scrub(entry.data);
    const socket = queued.socket;
    if (socket && typeof socket._pendingData === 'string') socket._pendingData = scrub(socket._pendingData);
    else if (socket && Array.isArray(socket._pendingData)) {
      for (const chunk of socket._pendingData as Array<{ chunk?: unknown }>) if (typeof chunk.chunk === 'string') chunk.chunk = scrub(chunk.chunk);
    }
    return raw;
  }
  if (typeof request === 'object') {
    const { method, url } = request as { method?: unknown; url?: unknown };
    return Object.freeze({ method: typeof method === 'string' ? method : undefined, url: typeof url === 'string' ? scrub(url) : undefined });
  }
  return request;
}
