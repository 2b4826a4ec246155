import { SignetError, type SignetErrorCode } from '@signet/core';

/**
 * The `CKR_…` name of a PKCS#11 failure, or `undefined` for anything else. Only the name leaves this package: the
 * native error (its stack, its arguments) never rides along on a SignetError.
 */
export function ckr(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  return /^CKR_[A-Z0-9_]+$/.test(message) ? message : undefined;
}

/** A SignetError for a PKCS#11 failure: what was being done, and the token's return code when there is one. */
export function tokenFailure(code: SignetErrorCode, what: string, error: unknown): SignetError {
  const name = ckr(error);
  return new SignetError(code, `${what} (${name ?? 'the PKCS#11 library failed'}).`);
}

/** Return codes after which a session is gone for good: it is dropped and a new one opened (and logged in). */
export const LOST_SESSION = new Set(['CKR_SESSION_HANDLE_INVALID', 'CKR_SESSION_CLOSED', 'CKR_USER_NOT_LOGGED_IN', 'CKR_DEVICE_REMOVED', 'CKR_TOKEN_NOT_PRESENT']);

/** Return codes that say the key's object handle no longer names it: the key is looked up again by its label. */
export const STALE_HANDLE = new Set(['CKR_OBJECT_HANDLE_INVALID', 'CKR_KEY_HANDLE_INVALID']);
