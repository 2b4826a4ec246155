import { SignetError } from '@signet/core';

/**
 * What a public key is, read from its DER without importing it: the facts `keyMisfit` checks (the same names as a
 * Node `KeyObject`'s), so that a key that can never verify is refused at construction on every runtime.
 * @internal
 */
export interface KeyFacts {
  asymmetricKeyType: string;
  asymmetricKeyDetails: { modulusLength?: number; namedCurve?: string };
}

// Algorithm and curve OIDs (their DER content, hex): RFC 8017, RFC 5480, RFC 8410.
const KEY_TYPES: Record<string, string> = {
  '2a864886f70d010101': 'rsa',
  '2a864886f70d01010a': 'rsa-pss',
  '2a8648ce3d0201': 'ec',
  '2a8648ce380401': 'dsa',
  '2b6570': 'ed25519',
  '2b6571': 'ed448',
  '2b656e': 'x25519',
  '2b656f': 'x448',
};
const CURVES: Record<string, string> = { '2a8648ce3d030107': 'prime256v1', '2b81040022': 'secp384r1', '2b81040023': 'secp521r1' };
const RSA_ENCRYPTION = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

interface Tlv {
  tag: number;
  /** First byte of the element (its tag). */
  offset: number;
  /** First byte of the content. */
  start: number;
  /** One past the last byte of the content. */
  end: number;
}

const invalid = (what: string): SignetError => new SignetError('ERR_KEY_INVALID', `${what} could not be parsed as a public key (PEM, certificate or DER SPKI).`);

/** One DER element at `offset`, its length checked against `limit`; `undefined` when it does not fit. */
function readTlv(der: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = der[offset] as number;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || start + count > limit) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | (der[start + i] as number);
    start += count;
  }
  const end = start + length;
  return end > limit ? undefined : { tag, offset, start, end };
}

/** The children of a constructed element, in order; `undefined` when they do not exactly fill it. */
function children(der: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const items: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const item = readTlv(der, offset, parent.end);
    if (item === undefined) return undefined;
    items.push(item);
    offset = item.end;
  }
  return items;
}

const hex = (der: Uint8Array, item: Tlv): string => Array.from(der.subarray(item.start, item.end), (byte) => byte.toString(16).padStart(2, '0')).join('');

/** The whole of `der` as one SEQUENCE and its children, or `undefined`. */
function sequence(der: Uint8Array): Tlv[] | undefined {
  const outer = readTlv(der, 0, der.length);
  if (outer === undefined || outer.tag !== 0x30 || outer.end !== der.length) return undefined;
  return children(der, outer);
}

/**
 * The facts of a DER SubjectPublicKeyInfo (`SEQUENCE { AlgorithmIdentifier, BIT STRING }`): key type, RSA modulus
 * size, EC curve. Anything else is `ERR_KEY_INVALID`, as Node's parser answers.
 * @internal
 */
export function spkiFacts(spki: Uint8Array, what: string): KeyFacts {
  const [algorithm, bits, ...rest] = sequence(spki) ?? [];
  if (algorithm?.tag !== 0x30 || bits?.tag !== 0x03 || rest.length !== 0) throw invalid(what);
  const [oid, parameters] = children(spki, algorithm) ?? [];
  if (oid?.tag !== 0x06) throw invalid(what);
  const type = KEY_TYPES[hex(spki, oid)] ?? 'unknown';
  if (type === 'rsa' || type === 'rsa-pss') {
    // The BIT STRING holds an RSAPublicKey after its unused-bits byte: SEQUENCE { INTEGER n, INTEGER e }.
    const key = spki.subarray(bits.start + 1, bits.end);
    const [modulus] = sequence(key) ?? [];
    if (modulus?.tag !== 0x02) throw invalid(what);
    return { asymmetricKeyType: type, asymmetricKeyDetails: { modulusLength: bitLength(key.subarray(modulus.start, modulus.end)) } };
  }
  if (type === 'ec') {
    const namedCurve = parameters?.tag === 0x06 ? CURVES[hex(spki, parameters)] : undefined;
    return { asymmetricKeyType: type, asymmetricKeyDetails: namedCurve === undefined ? {} : { namedCurve } };
  }
  return { asymmetricKeyType: type, asymmetricKeyDetails: {} };
}

/** @internal The size in bits of a big-endian unsigned integer (an RSA modulus), leading zero bytes aside. */
export function bitLength(integer: Uint8Array): number {
  let first = 0;
  while (first < integer.length && integer[first] === 0) first++;
  return first === integer.length ? 0 : (integer.length - first - 1) * 8 + (32 - Math.clz32(integer[first] as number));
}

/** The SubjectPublicKeyInfo inside a DER X.509 certificate (RFC 5280 §4.1: the seventh field of tbsCertificate). */
export function certificateSpki(certificate: Uint8Array, what: string): Uint8Array {
  const [tbs] = sequence(certificate) ?? [];
  const fields = tbs?.tag === 0x30 ? children(certificate, tbs) : undefined;
  // [0] version is optional: the key follows serial, signature, issuer, validity and subject.
  const index = fields?.[0]?.tag === 0xa0 ? 6 : 5;
  const key = fields?.[index];
  if (key?.tag !== 0x30) throw invalid(what);
  return certificate.slice(key.offset, key.end);
}

/** Wraps a PKCS#1 `RSAPublicKey` in the SubjectPublicKeyInfo WebCrypto imports. */
export function pkcs1ToSpki(pkcs1: Uint8Array): Uint8Array {
  const algorithm = element(0x30, Uint8Array.from([...RSA_ENCRYPTION, 0x05, 0x00]));
  const bits = element(0x03, Uint8Array.from([0x00, ...pkcs1]));
  return element(0x30, Uint8Array.from([...algorithm, ...bits]));
}

function element(tag: number, content: Uint8Array): Uint8Array {
  const length = content.length;
  const header = length < 0x80 ? [tag, length] : length < 0x100 ? [tag, 0x81, length] : length < 0x10000 ? [tag, 0x82, length >> 8, length & 0xff] : [tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
  const out = new Uint8Array(header.length + length);
  out.set(header);
  out.set(content, header.length);
  return out;
}
