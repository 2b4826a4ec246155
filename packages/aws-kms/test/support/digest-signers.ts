import { constants, createECDH, createHash, type KeyObject, privateEncrypt, randomBytes } from 'node:crypto';

// Node's crypto hashes the message itself in every `sign` API; KMS's MessageType DIGEST signs a digest given to it.
// These produce real signatures over a given digest with the real private key, as KMS does:
// - RSASSA-PKCS1-v1_5: the DigestInfo (RFC 8017 §9.2) padded and exponentiated by `privateEncrypt` (PKCS#1 type 1).
// - RSASSA-PSS: EMSA-PSS-ENCODE (RFC 8017 §9.1.1, MGF1, salt = digest size) here, then the raw RSA operation.
// - ECDSA: k·G by `createECDH` (OpenSSL's point multiplication), then r and s (FIPS 186-4 §6.4) with bigints.

export type Hash = 'sha256' | 'sha384' | 'sha512';

const DIGEST_INFO: Readonly<Record<Hash, string>> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

export function rsaPkcs1SignDigest(privateKey: KeyObject, hash: Hash, digest: Buffer): Buffer {
  return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), digest]));
}

export function rsaPssSignDigest(privateKey: KeyObject, hash: Hash, digest: Buffer): Buffer {
  const modulusBits = privateKey.asymmetricKeyDetails?.modulusLength as number;
  const emBits = modulusBits - 1;
  const emLength = Math.ceil(emBits / 8);
  const hLength = digest.length;
  const salt = randomBytes(hLength);
  const h = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.alloc(emLength - hLength - 1);
  db[db.length - hLength - 1] = 0x01;
  salt.copy(db, db.length - hLength);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLength - emBits));
  const em = Buffer.concat([db, h, Buffer.from([0xbc])]);
  const modulusBytes = Math.ceil(modulusBits / 8);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, Buffer.concat([Buffer.alloc(modulusBytes - em.length), em]));
}

function mgf1(hash: Hash, seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * seed.length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const CURVES = {
  'P-256': { ecdh: 'prime256v1', order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, bytes: 32 },
  'P-384': { ecdh: 'secp384r1', order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n, bytes: 48 },
} as const;

/** An ECDSA signature over `digest`, DER-encoded as KMS returns it. */
export function ecdsaSignDigest(privateKey: KeyObject, digest: Buffer): Buffer {
  const jwk = privateKey.export({ format: 'jwk' });
  const curve = CURVES[jwk.crv as keyof typeof CURVES];
  const n = curve.order;
  const d = toBigInt(Buffer.from(jwk.d as string, 'base64url'));
  // The leftmost bits of the digest, as many as the order has (equal here: SHA-256 on P-256, SHA-384 on P-384).
  const e = toBigInt(digest.subarray(0, curve.bytes)) % n;
  for (;;) {
    const k = (toBigInt(randomBytes(curve.bytes + 8)) % (n - 1n)) + 1n;
    const ecdh = createECDH(curve.ecdh);
    ecdh.setPrivateKey(toBytes(k, curve.bytes));
    const point = ecdh.getPublicKey(null, 'uncompressed');
    const r = toBigInt(point.subarray(1, 1 + curve.bytes)) % n;
    if (r === 0n) continue;
    const s = (modPow(k, n - 2n, n) * ((e + r * d) % n)) % n;
    if (s === 0n) continue;
    return derSequence([derInteger(r), derInteger(s)]);
  }
}

export function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function toBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** A DER INTEGER of a non-negative value: minimal, with a 0x00 before a set top bit. */
export function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (((bytes[0] as number) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), bytes]);
}

export function derSequence(items: Buffer[]): Buffer {
  const body = Buffer.concat(items);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  return length < 0x80 ? Buffer.from([length]) : Buffer.from([0x81, length]);
}
