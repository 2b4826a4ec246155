import { base64Of, fromBase64 } from '../../platform/bytes.js';

// Structured Field Values (RFC 8941 / RFC 9651), as much of them as RFC 9421 needs: Signature-Input and Signature
// are Dictionaries, component identifiers are parameterized Strings, and `;sf` / `;key` re-serialize a field
// strictly. Parsing follows RFC 8941 §4.2; serializing follows §4.1. Every failure is a `StructuredFieldError`,
// which callers turn into their own `SignetError`.

/** @internal A Token (RFC 8941 §3.3.4): kept apart from a String so that it serializes without quotes. */
export class Token {
  constructor(readonly value: string) {}
}

/** @internal A Decimal (RFC 8941 §3.3.2): kept apart from an Integer so that it serializes with its fraction. */
export class Decimal {
  constructor(readonly value: number) {}
}

/** @internal */
export type BareItem = number | Decimal | string | Token | Uint8Array | boolean;
/** @internal Parameters in their order (order is part of what is signed). */
export type Parameters = Array<[string, BareItem]>;
/** @internal */
export interface Item {
  value: BareItem;
  params: Parameters;
}
/** @internal */
export interface InnerList {
  items: Item[];
  params: Parameters;
}
/** @internal */
export type Member = Item | InnerList;
/** @internal A Dictionary in its order; a repeated key keeps its last value at its first position (§4.2.2). */
export type Dictionary = Array<[string, Member]>;

/** @internal */
export class StructuredFieldError extends Error {}

const KEY = /^[a-z*][a-z0-9_\-.*]*$/;
const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/;

// ---- serializing (RFC 8941 §4.1) ----

/** @internal */
export function serializeBareItem(value: BareItem): string {
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || Math.abs(value) > 999_999_999_999_999) throw new StructuredFieldError('integer out of range');
    return String(value);
  }
  if (value instanceof Decimal) {
    const rounded = Math.round(value.value * 1000) / 1000;
    if (Math.abs(Math.trunc(rounded)) > 999_999_999_999) throw new StructuredFieldError('decimal out of range');
    return Number.isInteger(rounded) ? `${rounded}.0` : String(rounded);
  }
  if (value instanceof Token) {
    if (!TOKEN.test(value.value)) throw new StructuredFieldError('invalid token');
    return value.value;
  }
  if (value instanceof Uint8Array) return `:${base64Of(value)}:`;
  if (!/^[\x20-\x7e]*$/.test(value)) throw new StructuredFieldError('string with characters outside printable ASCII');
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** @internal */
export function serializeParameters(params: Parameters): string {
  return params.map(([key, value]) => (value === true ? `;${serializeKey(key)}` : `;${serializeKey(key)}=${serializeBareItem(value)}`)).join('');
}

/** @internal */
export function serializeItem(item: Item): string {
  return serializeBareItem(item.value) + serializeParameters(item.params);
}

/** @internal */
export function serializeInnerList(list: InnerList): string {
  return `(${list.items.map(serializeItem).join(' ')})${serializeParameters(list.params)}`;
}

/** @internal */
export function serializeMember(member: Member): string {
  return 'items' in member ? serializeInnerList(member) : serializeItem(member);
}

/** @internal */
export function serializeList(members: Member[]): string {
  return members.map(serializeMember).join(', ');
}

/** @internal */
export function serializeDictionary(dictionary: Dictionary): string {
  return dictionary.map(([key, member]) => ('value' in member && member.value === true ? `${serializeKey(key)}${serializeParameters(member.params)}` : `${serializeKey(key)}=${serializeMember(member)}`)).join(', ');
}

function serializeKey(key: string): string {
  if (!KEY.test(key)) throw new StructuredFieldError('invalid key');
  return key;
}

// ---- parsing (RFC 8941 §4.2) ----

/** @internal */
export function parseDictionary(text: string): Dictionary {
  return parseWhole(text, (p) => p.dictionary());
}

/** @internal */
export function parseList(text: string): Member[] {
  return parseWhole(text, (p) => p.list());
}

/** @internal */
export function parseItem(text: string): Item {
  return parseWhole(text, (p) => p.item());
}

function parseWhole<T>(text: string, read: (parser: Parser) => T): T {
  const parser = new Parser(text);
  parser.skip(' ');
  const value = read(parser);
  parser.skip(' ');
  if (!parser.done()) throw new StructuredFieldError('trailing characters');
  return value;
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  skip(chars: string): void {
    while (!this.done() && chars.includes(this.text[this.at] as string)) this.at++;
  }

  private peek(): string {
    return this.text[this.at] ?? '';
  }

  private fail(what: string): never {
    throw new StructuredFieldError(`${what} at offset ${this.at}`);
  }

  dictionary(): Dictionary {
    const out: Dictionary = [];
    while (!this.done()) {
      const key = this.key();
      let member: Member;
      if (this.peek() === '=') {
        this.at++;
        member = this.member();
      } else {
        member = { value: true, params: this.parameters() };
      }
      const existing = out.findIndex(([name]) => name === key);
      if (existing >= 0) out[existing] = [key, member];
      else out.push([key, member]);
      if (!this.separator()) break;
    }
    return out;
  }

  list(): Member[] {
    const out: Member[] = [];
    while (!this.done()) {
      out.push(this.member());
      if (!this.separator()) break;
    }
    return out;
  }

  /** After a member: optional whitespace, then the end, or a comma followed by another member. */
  private separator(): boolean {
    this.skip(' \t');
    if (this.done()) return false;
    if (this.peek() !== ',') this.fail('expected a comma');
    this.at++;
    this.skip(' \t');
    if (this.done()) this.fail('trailing comma');
    return true;
  }

  private member(): Member {
    return this.peek() === '(' ? this.innerList() : this.item();
  }

  private innerList(): InnerList {
    this.at++;
    const items: Item[] = [];
    for (;;) {
      this.skip(' ');
      if (this.peek() === ')') {
        this.at++;
        return { items, params: this.parameters() };
      }
      items.push(this.item());
      if (this.peek() !== ' ' && this.peek() !== ')') this.fail('expected a space or ")" in an inner list');
    }
  }

  item(): Item {
    return { value: this.bareItem(), params: this.parameters() };
  }

  private parameters(): Parameters {
    const out: Parameters = [];
    while (this.peek() === ';') {
      this.at++;
      this.skip(' ');
      const key = this.key();
      let value: BareItem = true;
      if (this.peek() === '=') {
        this.at++;
        value = this.bareItem();
      }
      const existing = out.findIndex(([name]) => name === key);
      if (existing >= 0) out[existing] = [key, value];
      else out.push([key, value]);
    }
    return out;
  }

  private key(): string {
    const match = /^[a-z*][a-z0-9_\-.*]*/.exec(this.text.slice(this.at));
    if (!match) this.fail('expected a key');
    this.at += match[0].length;
    return match[0];
  }

  private bareItem(): BareItem {
    const c = this.peek();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (c === '"') return this.string();
    if (c === ':') return this.bytes();
    if (c === '?') return this.boolean();
    if (/[A-Za-z*]/.test(c)) return this.token();
    return this.fail('expected an item');
  }

  private number(): number | Decimal {
    const match = /^-?(\d{1,15})(\.\d{1,3})?/.exec(this.text.slice(this.at));
    if (!match || (match[2] !== undefined && (match[1] as string).length > 12)) this.fail('invalid number');
    this.at += match[0].length;
    if (/^\d/.test(this.peek()) || (match[2] === undefined && this.peek() === '.')) this.fail('number too long');
    return match[2] === undefined ? Number(match[0]) : new Decimal(Number(match[0]));
  }

  private string(): string {
    this.at++;
    let out = '';
    for (;;) {
      const c = this.text[this.at++];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') return out;
      if (c === '\\') {
        const next = this.text[this.at++];
        if (next !== '"' && next !== '\\') this.fail('invalid escape');
        out += next;
      } else if (c < ' ' || c > '~') {
        this.fail('invalid string character');
      } else {
        out += c;
      }
    }
  }

  private bytes(): Uint8Array {
    const match = /^:([A-Za-z0-9+/]*={0,2}):/.exec(this.text.slice(this.at));
    if (!match || (match[1] as string).length % 4 !== 0) this.fail('invalid byte sequence');
    this.at += match[0].length;
    return new Uint8Array(fromBase64(match[1] as string));
  }

  private boolean(): boolean {
    const value = this.text.slice(this.at, this.at + 2);
    if (value !== '?0' && value !== '?1') this.fail('invalid boolean');
    this.at += 2;
    return value === '?1';
  }

  private token(): Token {
    const match = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/.exec(this.text.slice(this.at)) as RegExpExecArray;
    this.at += match[0].length;
    return new Token(match[0]);
  }
}
