import { createPublicKey, type KeyObject } from 'node:crypto';
import { endianness } from 'node:os';
import pkcs11js from 'pkcs11js';
import { SignetError } from '@signet/core';
import { base64url } from '@signet/internal';
import { tokenFailure } from './failure.js';

/** The slot whose token carries `label` (PKCS#11 pads labels with blanks to 32 bytes; those are ignored). */
export function findSlot(module: pkcs11js.PKCS11, label: string): pkcs11js.Handle {
  const found: pkcs11js.Handle[] = [];
  const seen: string[] = [];
  for (const slot of module.C_GetSlotList(true)) {
    const info = module.C_GetTokenInfo(slot);
    if ((info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) === 0) continue;
    const name = info.label.replace(/[ \0]+$/, '');
    seen.push(`"${name}"`);
    if (name === label) found.push(slot);
  }
  if (found.length === 1) return found[0] as pkcs11js.Handle;
  if (found.length > 1) throw new SignetError('ERR_KEY_INVALID', `${found.length} tokens are labelled "${label}"; give each token a unique label.`);
  const tokens = seen.length === 0 ? 'no initialized token' : `only ${seen.join(', ')}`;
  throw new SignetError('ERR_KEY_INVALID', `no token labelled "${label}" is present (the library shows ${tokens}); pass the label the token was initialized with.`);
}

/** Object handles of class `objectClass` labelled `label`: the caller decides how many are acceptable. */
export function findObjects(module: pkcs11js.PKCS11, session: pkcs11js.Handle, objectClass: number, label: string): pkcs11js.Handle[] {
  module.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: objectClass },
    { type: pkcs11js.CKA_LABEL, value: label },
  ]);
  try {
    return module.C_FindObjects(session, 2);
  } finally {
    module.C_FindObjectsFinal(session);
  }
}

/** What the token holds under a key label: the private key's handle and the public key, as Node sees it. */
export interface TokenKey {
  readonly handle: pkcs11js.Handle;
  readonly publicKey: KeyObject;
}

/**
 * The one private key labelled `keyLabel`, and its public key: RSA's is read from the private key's public
 * attributes (modulus, exponent); an EC private key does not carry its point, so EC needs the public key object
 * stored beside it under the same label (as `softhsm2-util --import` and every HSM's key generation leave it).
 */
export function findKey(module: pkcs11js.PKCS11, session: pkcs11js.Handle, keyLabel: string, tokenLabel: string): TokenKey {
  let handles: pkcs11js.Handle[];
  try {
    handles = findObjects(module, session, pkcs11js.CKO_PRIVATE_KEY, keyLabel);
  } catch (error) {
    throw tokenFailure('ERR_KEY_INVALID', `searching token "${tokenLabel}" for key "${keyLabel}" failed`, error);
  }
  if (handles.length === 0) {
    throw new SignetError('ERR_KEY_INVALID', `token "${tokenLabel}" holds no private key labelled "${keyLabel}"; pass the CKA_LABEL the key was created or imported with.`);
  }
  if (handles.length > 1) throw new SignetError('ERR_KEY_INVALID', `token "${tokenLabel}" holds several private keys labelled "${keyLabel}"; give the signing key a unique label.`);
  const handle = handles[0] as pkcs11js.Handle;
  const [type] = module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_KEY_TYPE }]);
  const keyType = ulong(type?.value as Buffer);
  if (keyType === pkcs11js.CKK_RSA) {
    const [n, e] = module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_MODULUS }, { type: pkcs11js.CKA_PUBLIC_EXPONENT }]);
    const jwk = { kty: 'RSA', n: base64url(n?.value as Buffer), e: base64url(e?.value as Buffer) };
    return { handle, publicKey: createPublicKey({ key: jwk, format: 'jwk' }) };
  }
  if (keyType === pkcs11js.CKK_EC) return { handle, publicKey: ecPublicKey(module, session, keyLabel, tokenLabel) };
  throw new SignetError('ERR_KEY_TYPE', `key "${keyLabel}" on token "${tokenLabel}" is neither RSA nor EC (CKK 0x${keyType.toString(16)}); RS256 and PS256 need RSA, ES256 needs EC P-256.`);
}

function ecPublicKey(module: pkcs11js.PKCS11, session: pkcs11js.Handle, keyLabel: string, tokenLabel: string): KeyObject {
  const [handle, more] = findObjects(module, session, pkcs11js.CKO_PUBLIC_KEY, keyLabel);
  if (handle === undefined || more !== undefined) {
    throw new SignetError(
      'ERR_KEY_INVALID',
      `token "${tokenLabel}" needs exactly one public key labelled "${keyLabel}" beside the EC private key (its point is what verifiers check against); import or generate the key as a pair.`,
    );
  }
  const [params, point] = module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_EC_PARAMS }, { type: pkcs11js.CKA_EC_POINT }]);
  // CKA_EC_PARAMS is the curve's DER OID; only P-256 (1.2.840.10045.3.1.7) is one Signet signs with here.
  if (!(params?.value as Buffer).equals(P256_OID)) {
    throw new SignetError('ERR_KEY_TYPE', `key "${keyLabel}" on token "${tokenLabel}" is an EC key on another curve than P-256; ES256 needs P-256.`);
  }
  const raw = uncompressedPoint(point?.value as Buffer);
  if (raw === undefined) throw new SignetError('ERR_KEY_INVALID', `the public key "${keyLabel}" on token "${tokenLabel}" has an EC point that is not an uncompressed P-256 point.`);
  const jwk = { kty: 'EC', crv: 'P-256', x: base64url(raw.subarray(1, 33)), y: base64url(raw.subarray(33)) };
  return createPublicKey({ key: jwk, format: 'jwk' });
}

/** A CK_ULONG attribute: native byte order, 4 or 8 bytes as the platform's `unsigned long`. */
function ulong(value: Buffer): number {
  const little = endianness() === 'LE';
  if (value.length === 8) return Number(little ? value.readBigUInt64LE() : value.readBigUInt64BE());
  return little ? value.readUInt32LE() : value.readUInt32BE();
}

const P256_OID = Buffer.from('06082a8648ce3d030107', 'hex');

/** `04 || x || y`: PKCS#11 v2.40 says CKA_EC_POINT is that point wrapped in a DER OCTET STRING; some HSMs omit the wrapper. */
function uncompressedPoint(value: Buffer): Buffer | undefined {
  const point = value.length === 67 && value[0] === 0x04 && value[1] === 0x41 ? value.subarray(2) : value;
  return point.length === 65 && point[0] === 0x04 ? point : undefined;
}
