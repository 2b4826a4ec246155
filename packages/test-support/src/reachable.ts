import { Buffer } from 'node:buffer';
import { Agent, ClientRequest, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { inspect } from 'node:util';

// What a logger, an error reporter or a curious caller can reach from an error or a response: every object
// reachable through own properties (string and symbol keys, enumerable or not, getters read), array items and
// Map/Set contents, and the text of every string and byte buffer among them. Shared by the adapters' leak suites.

/** A value that must not be reachable, with a name that can be printed in a failure message. */
export interface Needle {
  name: string;
  value: string;
}

/** Node objects that are live transport state: from any of them, other requests (and their headers) can be reached. */
const LIVE: readonly [string, new (...args: never[]) => object][] = [
  ['ClientRequest', ClientRequest],
  ['IncomingMessage', IncomingMessage],
  ['net.Socket', Socket],
  ['http.Agent', Agent],
];

/** A bound on the walk, so that a reachable heap the size of the process fails the test instead of hanging it. */
const MAX_OBJECTS = 200_000;

function keyText(key: string | symbol): string {
  return typeof key === 'symbol' ? `[${String(key)}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function bytesOf(value: object): Uint8Array | undefined {
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return new Uint8Array(value);
  return undefined;
}

/**
 * Walks everything reachable from `root` (breadth first, each object once) and returns one line per finding:
 * "<path> shows the <needle>" for a needle found in a string or a byte buffer, "<path> is a live <class>" for a
 * live transport object. Empty when nothing leaks.
 */
export function reachableLeaks(root: unknown, needles: readonly Needle[]): string[] {
  const findings = new Set<string>();
  const visited = new Set<unknown>();
  const queue: [unknown, string][] = [[root, 'root']];
  const searchText = (text: string, path: string): void => {
    for (const needle of needles) if (needle.value !== '' && text.includes(needle.value)) findings.add(`${path} shows the ${needle.name}`);
  };
  for (let index = 0; index < queue.length; index += 1) {
    const [value, path] = queue[index] as [unknown, string];
    if (typeof value === 'string') {
      searchText(value, path);
      continue;
    }
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || visited.has(value)) continue;
    visited.add(value);
    if (visited.size > MAX_OBJECTS) throw new Error(`More than ${MAX_OBJECTS} objects are reachable from the root (at ${path}).`);
    for (const [name, type] of LIVE) if (value instanceof type) findings.add(`${path} is a live ${name}`);
    const bytes = bytesOf(value);
    if (bytes !== undefined) {
      searchText(Buffer.from(bytes).toString('latin1'), path);
      continue;
    }
    if (value instanceof Map) for (const [key, entry] of value) queue.push([key, `${path}<key>`], [entry, `${path}.get(…)`]);
    if (value instanceof Set) for (const entry of value) queue.push([entry, `${path}<entry>`]);
    if (value instanceof WeakRef) queue.push([value.deref(), `${path}.deref()`]);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor === undefined) continue;
      if (typeof key === 'string') searchText(key, `${path} (a key)`);
      let next: unknown = descriptor.value;
      if (descriptor.get !== undefined) {
        try {
          next = descriptor.get.call(value);
        } catch {
          continue;
        }
      }
      queue.push([next, `${path}${keyText(key)}`]);
    }
  }
  return [...findings];
}

/** JSON.stringify that replaces a cycle (and only a cycle) with a marker instead of throwing. */
export function stringifyWithCycles(value: unknown): string {
  const ancestors: unknown[] = [];
  return String(
    JSON.stringify(value, function replacer(this: unknown, _key, entry: unknown) {
      if (typeof entry !== 'object' || entry === null) return entry;
      while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
      if (ancestors.includes(entry)) return '[Circular]';
      ancestors.push(entry);
      return entry;
    }),
  );
}

/** "<rendering> shows the <needle>" for the renderings a logger prints: util.inspect at full depth, and JSON. */
export function renderedLeaks(value: unknown, needles: readonly Needle[]): string[] {
  const renderings: Record<string, string> = {
    'util.inspect(…, { depth: Infinity, showHidden: true })': inspect(value, { depth: Infinity, showHidden: true }),
    'util.inspect(…, { depth: Infinity })': inspect(value, { depth: Infinity }),
    'JSON.stringify(…)': stringifyWithCycles(value),
  };
  const found: string[] = [];
  for (const [rendering, text] of Object.entries(renderings)) {
    for (const needle of needles) if (needle.value !== '' && text.includes(needle.value)) found.push(`${rendering} shows the ${needle.name}`);
  }
  return found;
}
