import { base64Of, latin1 } from '../../platform/bytes.js';
import { type Item, type Parameters, StructuredFieldError, parseDictionary, parseItem, parseList, serializeDictionary, serializeItem, serializeList, serializeMember } from './structured-field.js';

// Component identifiers and their values (RFC 9421 §2): the derived components of a request (§2.2) and header
// fields (§2.1) with the `sf`, `key` and `bs` parameters. `req` (responses only) and `tr` (trailers) are refused.

/** @internal A component identifier: its name (lowercase field name, or `@derived`) and its parameters in order. */
export interface ComponentId {
  name: string;
  params: Parameters;
}

/** The shape of a structured field, which `;sf` needs to re-serialize it (RFC 9421 §2.1.1). */
export type StructuredFieldType = 'item' | 'list' | 'dictionary';

/**
 * @internal What a component's value is taken from: the request as it goes on (or came off) the wire. `status` is
 * only ever set for the RFC's response examples; `scheme` and `authority` are absent when the verifier does not know
 * the origin it is addressed as.
 */
export interface MessageContext {
  method?: string;
  scheme?: string;
  authority?: string;
  /** Path + query exactly as in the request line. */
  target?: string;
  status?: number;
  /** Lowercase field name → each field line's value, in order. */
  fields: ReadonlyMap<string, readonly string[]>;
  /** Fields known to be structured, beyond the ones RFC 9421 and RFC 9530 define. */
  structuredFields?: Readonly<Record<string, StructuredFieldType>>;
}

/** @internal A component that cannot be derived from the message: the message names it, never a value. */
export class ComponentError extends Error {}

const DERIVED = new Set(['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query', '@query-param', '@status']);
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const FIELD_PARAMS = new Set(['sf', 'key', 'bs']);
// RFC 9421 §6.4 and RFC 9530 §7: fields whose structured type is registered.
const KNOWN_STRUCTURED: Readonly<Record<string, StructuredFieldType>> = {
  'signature-input': 'dictionary',
  signature: 'dictionary',
  'accept-signature': 'dictionary',
  'content-digest': 'dictionary',
  'repr-digest': 'dictionary',
  'want-content-digest': 'dictionary',
  'want-repr-digest': 'dictionary',
  priority: 'dictionary',
  'cache-status': 'list',
  'proxy-status': 'list',
};

/**
 * @internal Reads a component identifier as a user writes it: `@method`, `content-type;sf`,
 * `@query-param;name="id"`, or the quoted form of the Signature-Input field (`"@query-param";name="id"`).
 */
export function parseComponentId(text: string): ComponentId {
  const quoted = text.startsWith('"') ? text : `"${text.replace(/;.*$/s, '')}"${text.includes(';') ? text.slice(text.indexOf(';')) : ''}`;
  let item: Item;
  try {
    item = parseItem(quoted);
  } catch {
    throw new ComponentError(`"${printable(text)}" is not a component identifier (e.g. "@method", "content-type", "@query-param;name=\\"id\\"")`);
  }
  if (typeof item.value !== 'string') throw new ComponentError(`"${printable(text)}" is not a component identifier`);
  return checkComponentId({ name: item.value, params: item.params });
}

/** @internal Refuses what no request can have: unknown derived names, unknown or misplaced parameters. */
export function checkComponentId(id: ComponentId): ComponentId {
  const { name, params } = id;
  const keys = params.map(([key]) => key);
  if (keys.includes('req')) throw new ComponentError(`${name};req names the request of a response; a request signature cannot use it`);
  if (keys.includes('tr')) throw new ComponentError(`${name};tr names a trailer; Signet signs header fields only`);
  if (name.startsWith('@')) {
    if (name === '@signature-params') throw new ComponentError('@signature-params is always the last line of the signature base and is never listed (RFC 9421 §2.3)');
    if (!DERIVED.has(name)) throw new ComponentError(`${printable(name)} is not a derived component of RFC 9421 §2.2`);
    const allowed = name === '@query-param' ? ['name'] : [];
    const stray = keys.find((key) => !allowed.includes(key));
    if (stray !== undefined) throw new ComponentError(`${name} takes no ";${stray}" parameter`);
    if (name === '@query-param' && typeof params.find(([key]) => key === 'name')?.[1] !== 'string') {
      throw new ComponentError('@query-param needs its parameter\'s name as ;name="…"');
    }
    return id;
  }
  if (!FIELD_NAME.test(name)) throw new ComponentError(`"${printable(name)}" is not a lowercase HTTP field name`);
  const stray = keys.find((key) => !FIELD_PARAMS.has(key));
  if (stray !== undefined) throw new ComponentError(`${name} has a parameter ";${printable(stray)}" RFC 9421 §2.1 does not define for requests`);
  if (keys.includes('bs') && (keys.includes('sf') || keys.includes('key'))) throw new ComponentError(`${name};bs cannot be combined with ;sf or ;key (RFC 9421 §2.1)`);
  const key = params.find(([k]) => k === 'key');
  if (key !== undefined && typeof key[1] !== 'string') throw new ComponentError(`${name};key needs a dictionary key as ;key="…"`);
  if (params.some(([k, value]) => (k === 'sf' || k === 'bs') && value !== true)) throw new ComponentError(`${name}: ;sf and ;bs are flags without a value`);
  return id;
}

/** @internal The identifier as it appears in the signature base and in Signature-Input. */
export function serializeComponentId(id: ComponentId): string {
  return serializeItem({ value: id.name, params: id.params });
}

/** @internal Two identifiers are the same component when name and parameters match, in any parameter order. */
export function sameComponent(a: ComponentId, b: ComponentId): boolean {
  const key = (id: ComponentId): string => JSON.stringify([id.name, id.params.map(([k, v]) => `${k}=${serializeParam(v)}`).sort()]);
  return key(a) === key(b);
}

function serializeParam(value: unknown): string {
  return value instanceof Uint8Array ? base64Of(value) : JSON.stringify(value);
}

/** @internal The canonical value of one component of `message` (RFC 9421 §2.1, §2.2). */
export function componentValue(id: ComponentId, message: MessageContext): string {
  return id.name.startsWith('@') ? derivedValue(id, message) : fieldValue(id, message);
}

function derivedValue(id: ComponentId, message: MessageContext): string {
  const { target } = message;
  const path = target === undefined ? undefined : target.split('?', 1)[0] || '/';
  const query = target === undefined ? undefined : target.includes('?') ? target.slice(target.indexOf('?')) : '?';
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new ComponentError(`${id.name} needs the request's ${what}, which is not known here`);
    return value;
  };
  switch (id.name) {
    case '@method':
      return need(message.method, 'method');
    case '@scheme':
      return need(message.scheme, 'origin (scheme)').toLowerCase();
    case '@authority':
      return need(message.authority, 'origin (authority)').toLowerCase();
    case '@target-uri':
      return `${need(message.scheme, 'origin (scheme)').toLowerCase()}://${need(message.authority, 'origin (authority)').toLowerCase()}${need(target, 'target')}`;
    case '@request-target':
      return need(target, 'target');
    case '@path':
      return need(path, 'target');
    case '@query':
      return need(query, 'target');
    case '@query-param':
      return queryParam(need(query, 'target'), id.params.find(([key]) => key === 'name')?.[1] as string);
    case '@status':
      return String(need(message.status, 'status'));
    default:
      throw new ComponentError(`${id.name} is not a derived component`);
  }
}

/** RFC 9421 §2.2.8: parsed as application/x-www-form-urlencoded, then each name and value percent-encoded again. */
function queryParam(query: string, name: string): string {
  const matches = [...new URLSearchParams(query.slice(1))].filter(([key]) => formEncode(key) === name);
  if (matches.length === 0) throw new ComponentError(`@query-param;name="${printable(name)}" is not in the query`);
  if (matches.length > 1) throw new ComponentError(`@query-param;name="${printable(name)}" occurs more than once; cover @query instead`);
  return formEncode((matches[0] as [string, string])[1]);
}

/** The "percent-encode after encoding" of the form-urlencoded serializer, with a space as %20 (the RFC's examples). */
function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function fieldValue(id: ComponentId, message: MessageContext): string {
  const lines = message.fields.get(id.name);
  if (lines === undefined) throw new ComponentError(`the field ${id.name} is covered but absent from the request`);
  // RFC 9421 §2.1: strip surrounding whitespace and replace obsolete line folding with one space.
  const values = lines.map((line) => line.replace(/\r?\n[ \t]+/g, ' ').replace(/^[ \t]+|[ \t]+$/g, ''));
  const params = new Map(id.params);
  try {
    if (params.has('bs')) return serializeList(values.map((value) => ({ value: new Uint8Array(latin1(value)), params: [] })));
    const combined = values.join(', ');
    const key = params.get('key');
    if (typeof key === 'string') {
      const member = parseDictionary(combined).find(([name]) => name === key);
      if (member === undefined) throw new ComponentError(`${id.name};key="${printable(key)}" is not a member of the field`);
      return serializeMember(member[1]);
    }
    if (params.has('sf')) return strict(id.name, combined, message);
    return combined;
  } catch (error) {
    if (error instanceof StructuredFieldError) throw new ComponentError(`the field ${id.name} is not a valid structured field of its type`);
    throw error;
  }
}

function strict(name: string, value: string, message: MessageContext): string {
  const type = message.structuredFields?.[name] ?? KNOWN_STRUCTURED[name];
  if (type === undefined) throw new ComponentError(`${name};sf needs the field's structured type: declare it in structuredFields`);
  if (type === 'dictionary') return serializeDictionary(parseDictionary(value));
  if (type === 'list') return serializeList(parseList(value));
  return serializeItem(parseItem(value));
}

function printable(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 60)}…` : clean;
}
