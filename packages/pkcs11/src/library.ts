import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { SignetError } from '@signet/core';
import { ckr, tokenFailure } from './failure.js';

/** One loaded PKCS#11 library, shared by every key on it: Cryptoki is initialized once per process, not per key. */
export interface Library {
  readonly module: pkcs11js.PKCS11;
  /** Logs `session` in as the user; refuses a PIN other than the one the token was logged in with. */
  login(session: pkcs11js.Handle, slot: pkcs11js.Handle, pin: string, tokenLabel: string): void;
  /** Gives the library back; the last key to do so finalizes it. */
  release(): void;
}

interface Shared {
  module: pkcs11js.PKCS11;
  users: number;
  /** Whether this package called C_Initialize (and so may call C_Finalize); not when another user did first. */
  initialized: boolean;
  /** Per slot, a keyed digest of the PIN it was logged in with (see `login`). */
  pins: Map<string, Buffer>;
}

const loaded = new Map<string, Shared>();
// The PIN digests are keyed with a per-process secret so that the map holds nothing a PIN could be guessed from.
const pinKey = randomBytes(32);
const digest = (pin: string): Buffer => createHmac('sha256', pinKey).update(pin).digest();

/** Loads (or shares) the library at `path` and initializes Cryptoki. */
export function openLibrary(path: string): Library {
  let shared = loaded.get(path);
  if (shared === undefined) {
    const module = new pkcs11js.PKCS11();
    try {
      module.load(path);
    } catch {
      throw new SignetError('ERR_INVALID_OPTION', `library "${path}" could not be loaded as a PKCS#11 library; pass the path of your HSM vendor's .so/.dylib/.dll (SoftHSM: /usr/lib/softhsm/libsofthsm2.so).`);
    }
    let initialized = true;
    try {
      // Signatures run on libuv's thread pool, several sessions at once: the library must lock for itself.
      module.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (error) {
      if (ckr(error) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw tokenFailure('ERR_INVALID_OPTION', `library "${path}" failed to initialize`, error);
      initialized = false;
    }
    shared = { module, users: 0, initialized, pins: new Map() };
    loaded.set(path, shared);
  }
  shared.users++;
  const own = shared;
  let released = false;
  return {
    module: own.module,
    login(session, slot, pin, tokenLabel) {
      const slotId = slot.toString('hex');
      try {
        own.module.C_Login(session, pkcs11js.CKU_USER, pin);
        own.pins.set(slotId, digest(pin));
      } catch (error) {
        const code = ckr(error);
        if (code === 'CKR_USER_ALREADY_LOGGED_IN') {
          // Login is per token for the whole process, and a token already logged in answers this without looking
          // at the PIN: a second key with a wrong PIN would sign. So the PIN is compared with the one that logged
          // the token in (when it was this package; a login made by other code in the process cannot be checked).
          const known = own.pins.get(slotId);
          if (known === undefined || timingSafeEqual(known, digest(pin))) return;
          throw new SignetError('ERR_KEY_PASSPHRASE', `the PIN for token "${tokenLabel}" is not the one it is logged in with; pass the token's user PIN.`);
        }
        if (code === 'CKR_PIN_INCORRECT' || code === 'CKR_PIN_LEN_RANGE' || code === 'CKR_PIN_INVALID') {
          throw new SignetError('ERR_KEY_PASSPHRASE', `the PIN for token "${tokenLabel}" is wrong; pass the token's user PIN.`);
        }
        if (code === 'CKR_PIN_LOCKED' || code === 'CKR_PIN_EXPIRED') {
          throw new SignetError('ERR_KEY_PASSPHRASE', `the user PIN of token "${tokenLabel}" is ${code === 'CKR_PIN_LOCKED' ? 'locked' : 'expired'}; have the security officer reset it.`);
        }
        throw tokenFailure('ERR_KEY_PASSPHRASE', `logging in to token "${tokenLabel}" failed`, error);
      }
    },
    release() {
      if (released) return;
      released = true;
      if (--own.users > 0) return;
      loaded.delete(path);
      try {
        if (own.initialized) own.module.C_Finalize();
      } finally {
        own.module.close();
      }
    },
  };
}
