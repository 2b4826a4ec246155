import { base64urlOf, concat, hexOf } from './bytes.js';

// A small DER reader and writer, enough for the private key containers WebCrypto imports (PKCS#8) and the two it
// does not (PKCS#1 RSA, SEC1 EC), which are rewrapped into PKCS#8 here, and for the public keys @signet/verify's web
// build reads (SPKI, PKCS#1, a certificate's SPKI). It reads the key's type, RSA modulus size, EC curve and public
// half synchronously, so the web build refuses a misfit key at construction, as Node does.

interface Tlv {
  readonly tag: number;
  readonly content: Uint8Array;
  /** The whole element, tag and length included. */
  readonly raw: Uint8Array;
}

function readTlv(bytes: Uint8Array, at: number): (Tlv & { end: number }) | undefined {
  const tag = bytes[at];
  let length = bytes[at + 1];
  if (tag === undefined || length === undefined) return undefined;
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) {
      const byte = bytes[start++];
      if (byte === undefined) return undefined;
      length = length * 256 + byte;
    }
  }
  const end = start + length;
  if (end > bytes.length) return undefined;
  return { tag, content: bytes.subarray(start, end), raw: bytes.subarray(at, end), end };
}

function children(content: Uint8Array): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let at = 0; at < content.length;) {
    const element = readTlv(content, at);
    if (element === undefined) return undefined;
    out.push(element);
    at = element.end;
  }
  return out;
}

/** The elements of the SEQUENCE that `bytes` is, exactly; `undefined` for anything else. */
function sequence(bytes: Uint8Array): Tlv[] | undefined {
  const top = readTlv(bytes, 0);
  return top === undefined || top.tag !== 0x30 || top.end !== bytes.length ? undefined : children(top.content);
}

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concat([Uint8Array.from([tag, ...length]), content]);
}

const hexToBytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));

// Object identifiers, as the hex of their DER content.
const OID = {
  rsa: '2a864886f70d010101',
  rsaPss: '2a864886f70d01010a',
  ec: '2a8648ce3d0201',
  ed25519: '2b6570',
  ed448: '2b6571',
  pbes2: '2a864886f70d01050d',
  dsa: '2a8648ce380401',
  x25519: '2b656e',
  x448: '2b656f',
} as const;
/** EC curves by OID: OpenSSL's name (what keyMisfit compares), WebCrypto's, and the coordinate size. */
const CURVES: Readonly<Record<string, { name: string; web: string; size: number }>> = {
  '2a8648ce3d030107': { name: 'prime256v1', web: 'P-256', size: 32 },
  '2b81040022': { name: 'secp384r1', web: 'P-384', size: 48 },
  '2b81040023': { name: 'secp521r1', web: 'P-521', size: 66 },
};
const VERSION_0 = Uint8Array.from([0x02, 0x01, 0x00]);
const NULL = Uint8Array.from([0x05, 0x00]);

/** @internal What the web build knows of a private key without importing it. */
export interface PrivateKeyInfo {
  /** The PKCS#8 bytes WebCrypto imports. */
  pkcs8: Uint8Array;
  asymmetricKeyType: 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448';
  modulusLength?: number;
  namedCurve?: string;
  /** The public half as a JWK, when the container holds it (RSA always, EC and EdDSA when written with it). */
  publicJwk?: Record<string, string>;
}

/** @internal What a DER blob is: a private key container, or a reason it is none. */
export type DerKind = 'pkcs8' | 'pkcs1' | 'sec1' | 'public' | 'encrypted' | 'invalid';

/** @internal Tells the container of a DER blob from its shape (Node tries PKCS#8, PKCS#1 and SEC1 in turn). */
export function derKind(der: Uint8Array): DerKind {
  const top = sequence(der);
  const [first, second] = top ?? [];
  if (top === undefined || first === undefined) return 'invalid';
  if (first.tag === 0x30) {
    // An AlgorithmIdentifier first: SubjectPublicKeyInfo, EncryptedPrivateKeyInfo, or a certificate's TBS part.
    const oid = children(first.content)?.[0];
    return oid?.tag === 0x06 && hexOf(oid.content) === OID.pbes2 ? 'encrypted' : 'public';
  }
  if (first.tag !== 0x02 || second === undefined) return 'invalid';
  if (second.tag === 0x30) return 'pkcs8';
  if (second.tag === 0x04) return 'sec1';
  if (second.tag === 0x02) return top.length === 2 ? 'public' : 'pkcs1';
  return 'invalid';
}

/** @internal Reads a private key in any of the three containers; `undefined` when it is not well-formed. */
export function privateKeyInfo(der: Uint8Array, kind: 'pkcs8' | 'pkcs1' | 'sec1'): PrivateKeyInfo | undefined {
  if (kind === 'pkcs1') return rsaInfo(der, wrap(OID.rsa, NULL, der), 'rsa');
  if (kind === 'sec1') return sec1Info(der);
  const top = sequence(der);
  const [version, algorithm, key] = top ?? [];
  if (version?.tag !== 0x02 || algorithm?.tag !== 0x30 || key?.tag !== 0x04) return undefined;
  const [oid, params] = children(algorithm.content) ?? [];
  if (oid?.tag !== 0x06) return undefined;
  switch (hexOf(oid.content)) {
    case OID.rsa:
      return rsaInfo(key.content, der, 'rsa');
    case OID.rsaPss:
      // WebCrypto imports RSA-PSS keys only under rsaEncryption; the key material is the same RSAPrivateKey.
      return rsaInfo(key.content, wrap(OID.rsa, NULL, key.content), 'rsa-pss');
    case OID.ec:
      return params?.tag === 0x06 ? ecInfo(key.content, der, hexOf(params.content)) : undefined;
    case OID.ed25519:
    case OID.ed448: {
      const type = hexOf(oid.content) === OID.ed25519 ? 'ed25519' : 'ed448';
      // OneAsymmetricKey (RFC 8410 §7) may carry the public key as [1]; Node writes it without.
      const publicKey = top?.find((element) => element.tag === 0x81)?.content.subarray(1);
      const info: PrivateKeyInfo = { pkcs8: der, asymmetricKeyType: type };
      if (publicKey !== undefined) info.publicJwk = { kty: 'OKP', crv: type === 'ed25519' ? 'Ed25519' : 'Ed448', x: base64urlOf(publicKey) };
      return info;
    }
    default:
      return undefined;
  }
}

function wrap(oid: string, params: Uint8Array, key: Uint8Array): Uint8Array {
  return tlv(0x30, concat([VERSION_0, tlv(0x30, concat([tlv(0x06, hexToBytes(oid)), params])), tlv(0x04, key)]));
}

const unsigned = (integer: Uint8Array): Uint8Array => {
  let at = 0;
  while (at < integer.length - 1 && integer[at] === 0) at++;
  return integer.subarray(at);
};

/** @internal The size in bits of a big-endian unsigned integer (an RSA modulus), leading zero bytes aside. */
export function bitLength(integer: Uint8Array): number {
  const n = unsigned(integer);
  return n.length === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(n[0] as number));
}

function rsaInfo(rsaPrivateKey: Uint8Array, pkcs8: Uint8Array, type: 'rsa' | 'rsa-pss'): PrivateKeyInfo | undefined {
  const parts = sequence(rsaPrivateKey);
  if (parts === undefined || parts.length < 9 || parts.some((part) => part.tag !== 0x02)) return undefined;
  const n = unsigned((parts[1] as Tlv).content);
  const e = unsigned((parts[2] as Tlv).content);
  return { pkcs8, asymmetricKeyType: type, modulusLength: bitLength(n), publicJwk: { kty: 'RSA', n: base64urlOf(n), e: base64urlOf(e) } };
}

function ecInfo(ecPrivateKey: Uint8Array, pkcs8: Uint8Array, curveOid: string): PrivateKeyInfo | undefined {
  const curve = CURVES[curveOid];
  const parts = sequence(ecPrivateKey);
  if (parts === undefined || parts[0]?.tag !== 0x02 || parts[1]?.tag !== 0x04) return undefined;
  const info: PrivateKeyInfo = { pkcs8, asymmetricKeyType: 'ec', namedCurve: curve?.name ?? 'unknown' };
  // [1] BIT STRING: 0 unused bits, then the uncompressed point 04 || x || y.
  const point = parts.find((part) => part.tag === 0xa1);
  const bits = point === undefined ? undefined : readTlv(point.content, 0);
  if (curve !== undefined && bits?.tag === 0x03 && bits.content.length === 2 + 2 * curve.size && bits.content[1] === 0x04) {
    const xy = bits.content.subarray(2);
    info.publicJwk = { kty: 'EC', crv: curve.web, x: base64urlOf(xy.subarray(0, curve.size)), y: base64urlOf(xy.subarray(curve.size)) };
  }
  return info;
}

function sec1Info(der: Uint8Array): PrivateKeyInfo | undefined {
  const parts = sequence(der);
  const params = parts?.find((part) => part.tag === 0xa0);
  const oid = params === undefined ? undefined : readTlv(params.content, 0);
  if (parts === undefined || oid?.tag !== 0x06) return undefined;
  // Inside PKCS#8 the curve is named by the AlgorithmIdentifier; the ECPrivateKey leaves its [0] out (RFC 5915 §3).
  const inner = tlv(0x30, concat(parts.filter((part) => part.tag !== 0xa0).map((part) => part.raw)));
  return ecInfo(inner, wrap(OID.ec, oid.raw, inner), hexOf(oid.content));
}

/** @internal WebCrypto's name of an OpenSSL curve name (`prime256v1` → `P-256`). */
export function webCurve(name: string | undefined): string | undefined {
  return Object.values(CURVES).find((curve) => curve.name === name)?.web;
}

/** @internal OpenSSL's name of a WebCrypto curve name (`P-256` → `prime256v1`). */
export function opensslCurve(name: unknown): string | undefined {
  return Object.values(CURVES).find((curve) => curve.web === name)?.name;
}

/** @internal What the web build knows of a public key without importing it: the `KeyObject` fields keyMisfit reads. */
export interface PublicKeyInfo {
  asymmetricKeyType: string;
  asymmetricKeyDetails: { modulusLength?: number; namedCurve?: string };
}

const PUBLIC_TYPES: Readonly<Record<string, string>> = {
  [OID.rsa]: 'rsa',
  [OID.rsaPss]: 'rsa-pss',
  [OID.ec]: 'ec',
  [OID.dsa]: 'dsa',
  [OID.ed25519]: 'ed25519',
  [OID.ed448]: 'ed448',
  [OID.x25519]: 'x25519',
  [OID.x448]: 'x448',
};

/**
 * @internal The facts of a DER SubjectPublicKeyInfo (`SEQUENCE { AlgorithmIdentifier, BIT STRING }`): key type, RSA
 * modulus size, EC curve; `undefined` for anything else, which Node's parser refuses too.
 */
export function spkiInfo(spki: Uint8Array): PublicKeyInfo | undefined {
  const [algorithm, bits, ...rest] = sequence(spki) ?? [];
  if (algorithm?.tag !== 0x30 || bits?.tag !== 0x03 || rest.length !== 0) return undefined;
  const [oid, params] = children(algorithm.content) ?? [];
  if (oid?.tag !== 0x06) return undefined;
  const type = PUBLIC_TYPES[hexOf(oid.content)] ?? 'unknown';
  if (type === 'rsa' || type === 'rsa-pss') {
    // The BIT STRING holds an RSAPublicKey after its unused-bits byte: SEQUENCE { INTEGER n, INTEGER e }.
    const [modulus] = sequence(bits.content.subarray(1)) ?? [];
    return modulus?.tag === 0x02 ? { asymmetricKeyType: type, asymmetricKeyDetails: { modulusLength: bitLength(modulus.content) } } : undefined;
  }
  if (type === 'ec') {
    const namedCurve = params?.tag === 0x06 ? CURVES[hexOf(params.content)]?.name : undefined;
    return { asymmetricKeyType: type, asymmetricKeyDetails: namedCurve === undefined ? {} : { namedCurve } };
  }
  return { asymmetricKeyType: type, asymmetricKeyDetails: {} };
}

/** @internal The SubjectPublicKeyInfo inside a DER X.509 certificate (RFC 5280 §4.1: the seventh field of tbsCertificate). */
export function certificateSpki(certificate: Uint8Array): Uint8Array | undefined {
  const [tbs] = sequence(certificate) ?? [];
  const fields = tbs?.tag === 0x30 ? children(tbs.content) : undefined;
  // [0] version is optional: the key follows serial, signature, issuer, validity and subject.
  const key = fields?.[fields[0]?.tag === 0xa0 ? 6 : 5];
  return key?.tag === 0x30 ? key.raw.slice() : undefined;
}

/** @internal Wraps a PKCS#1 `RSAPublicKey` in the SubjectPublicKeyInfo WebCrypto imports. */
export function pkcs1ToSpki(pkcs1: Uint8Array): Uint8Array {
  return tlv(0x30, concat([tlv(0x30, concat([tlv(0x06, hexToBytes(OID.rsa)), NULL])), tlv(0x03, concat([Uint8Array.of(0), pkcs1]))]));
}
