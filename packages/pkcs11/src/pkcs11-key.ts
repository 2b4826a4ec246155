import pkcs11js from 'pkcs11js';
import { SignetError, type SigningKey } from '@signet/core';
import { LOST_SESSION, STALE_HANDLE, ckr, tokenFailure } from './failure.js';
import { openLibrary } from './library.js';
import { assertMechanism, chooseAlgorithm, signMechanism } from './mechanism.js';
import { readPkcs11Options, type Pkcs11Algorithm, type Pkcs11KeyOptions } from './options.js';
import { SessionPool } from './session-pool.js';
import { findKey, findSlot } from './token.js';

const lostSession = (error: unknown): boolean => LOST_SESSION.has(ckr(error) ?? '');

/** A {@link SigningKey} held in a PKCS#11 token; `close()` it when done. */
export interface Pkcs11Key extends SigningKey {
  readonly algorithm: Pkcs11Algorithm;
  /** The public key as SPKI PEM, for the verifier's setup (`requestVerifier({ publicKey })`). */
  publicKeyPem(): string;
  /** Waits for signatures under way, closes the sessions and, with the last key on the library, finalizes it. */
  close(): Promise<void>;
}

/**
 * A signing key that never leaves its HSM: every signature is made by the token over PKCS#11 (Thales Luna, YubiHSM,
 * AWS CloudHSM, Entrust nShield, SoftHSM). The library is loaded, the token found, logged in and the key looked up
 * now, so a wrong path, label or PIN fails here with a {@link SignetError} (`ERR_INVALID_OPTION`, `ERR_KEY_INVALID`,
 * `ERR_KEY_PASSPHRASE`, `ERR_KEY_TYPE`, `ERR_KEY_TOO_SMALL`), never at the first request. The PIN is in no error.
 *
 * Sessions are reused: up to `sessions` are opened on demand and each concurrent signature borrows one (a PKCS#11
 * session runs one operation at a time). ES256 signatures come back as raw `r || s`, not yet low-S: Signet's core
 * normalizes them when it mints a token.
 *
 * @example
 * ```ts
 * const key = pkcs11Key({ library: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'signet', pin: process.env.HSM_PIN!, keyLabel: 'api-signing' });
 * const signer = jwtSigner({ algorithm: key.algorithm, key });
 * // at shutdown
 * await key.close();
 * ```
 */
export function pkcs11Key(options: Pkcs11KeyOptions): Pkcs11Key {
  const { library: path, tokenLabel, pin, keyLabel, algorithm: asked, sessions } = readPkcs11Options(options);
  const library = openLibrary(path);
  const { module } = library;
  try {
    const slot = findSlot(module, tokenLabel);
    const openSession = (): Buffer => {
      let session: Buffer;
      try {
        session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      } catch (error) {
        throw tokenFailure('ERR_KEY_INVALID', `opening a session on token "${tokenLabel}" failed`, error);
      }
      try {
        library.login(session, slot, pin, tokenLabel);
      } catch (error) {
        module.C_CloseSession(session);
        throw error;
      }
      return session;
    };
    const first = openSession();
    let found;
    try {
      found = findKey(module, first, keyLabel, tokenLabel);
    } catch (error) {
      module.C_CloseSession(first);
      throw error;
    }
    const { publicKey } = found;
    let { handle } = found;
    const algorithm = chooseAlgorithm(asked, publicKey, keyLabel);
    const mechanism = signMechanism(algorithm, publicKey);
    assertMechanism(module, slot, mechanism, algorithm, tokenLabel);
    const pool = new SessionPool(sessions, openSession, (session) => module.C_CloseSession(session), lostSession, first);
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    let closing: Promise<void> | undefined;

    return Object.freeze({
      algorithm,
      async sign(data: Uint8Array, signOptions?: { signal?: AbortSignal }): Promise<Uint8Array> {
        if (!(data instanceof Uint8Array)) throw new SignetError('ERR_INVALID_REQUEST', 'sign() needs the JWS signing input as a Uint8Array.');
        const input = mechanism.input(data);
        const signOnce = (): Promise<Uint8Array> =>
          pool.use(async (session) => {
            try {
              module.C_SignInit(session, mechanism.mechanism, handle);
            } catch (error) {
              // After a logout (every session closed) a token may renumber its private objects: find the key again.
              if (!STALE_HANDLE.has(ckr(error) ?? '')) throw error;
              handle = findKey(module, session, keyLabel, tokenLabel).handle;
              module.C_SignInit(session, mechanism.mechanism, handle);
            }
            return new Uint8Array(await module.C_SignAsync(session, input, Buffer.alloc(mechanism.signatureBytes)));
          }, signOptions?.signal);
        try {
          try {
            return await signOnce();
          } catch (error) {
            // The HSM dropped the session (restart, failover, C_CloseAllSessions): the pool replaced it, try once more.
            if (!lostSession(error)) throw error;
            return await signOnce();
          }
        } catch (error) {
          if (error instanceof SignetError || error === signOptions?.signal?.reason) throw error;
          throw tokenFailure('ERR_SIGNING_FAILED', `token "${tokenLabel}" did not sign with key "${keyLabel}"`, error);
        }
      },
      publicKeyPem: () => pem,
      close: () => (closing ??= pool.close().finally(() => library.release())),
    });
  } catch (error) {
    library.release();
    throw error;
  }
}
