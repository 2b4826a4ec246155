import type { InternalAxiosRequestConfig } from 'axios';

/**
 * The config keys whose value is live transport state: an agent holds every socket it pooled, each socket the
 * request it carries, each request its headers, so one agent on an error's config reaches the credentials of every
 * other request in flight on it. `transport` may be the `http` module itself, whose globalAgent does the same.
 */
const LIVE_KEYS = ['httpAgent', 'httpsAgent', 'transport'] as const;

/** What a handle stands for; module-private, so nothing reachable from a config leads back to the live value. */
const liveOf = new WeakMap<object, unknown>();
/** One handle per live value, so configs that shared an agent still share (and compare equal on) its handle. */
const handleOf = new WeakMap<object, object>();

/**
 * What a config shows in place of an agent. A class instance, not a plain object: axios's mergeConfig copies plain
 * objects, and a copy would no longer lead back to the agent when the config is sent again.
 */
class WithheldTransport {
  constructor(readonly withheld: string) {
    Object.freeze(this);
  }
}

function handleFor(key: string, live: object): object {
  const known = handleOf.get(live);
  if (known !== undefined) return known;
  const handle = new WithheldTransport(`${key} (kept out of reach: it holds the other requests in flight on it)`);
  liveOf.set(handle, live);
  handleOf.set(live, handle);
  return handle;
}

/**
 * Replaces, in place, the agents and transport on the config axios hands the adapter with inert handles, so that
 * the errors and responses that carry this config (axios's own cancellation and response-transform errors
 * included, which take it after the adapter) reach no socket and no other request. Idempotent. A retry of this
 * config (axios-retry passes `error.config` back to the instance) comes back through the signing adapter, which
 * sends with the live values again ({@link liveTransport}).
 * @internal
 */
export function withholdAgents(config: InternalAxiosRequestConfig): void {
  const fields = config as unknown as Record<string, unknown>;
  for (const key of LIVE_KEYS) {
    const value = fields[key];
    if ((typeof value === 'object' || typeof value === 'function') && value !== null && !liveOf.has(value)) fields[key] = handleFor(key, value);
  }
}

/** The live agents and transport behind the config's handles, to send with. @internal */
export function liveTransport(config: InternalAxiosRequestConfig): Partial<InternalAxiosRequestConfig> {
  const fields = config as unknown as Record<string, unknown>;
  const live: Record<string, unknown> = {};
  for (const key of LIVE_KEYS) {
    const value = fields[key];
    if (typeof value === 'object' && value !== null && liveOf.has(value)) live[key] = liveOf.get(value);
  }
  return live as Partial<InternalAxiosRequestConfig>;
}
