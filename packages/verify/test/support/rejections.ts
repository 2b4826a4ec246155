import { expect } from 'vitest';
import { SignetError, type SignetErrorCode } from '@signet/core';

/** What `promise` rejected with; fails the test if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the verification to reject, but it resolved');
}

/** `promise` rejects with a SignetError of `code`. */
export async function expectRejectedWith(promise: Promise<unknown>, code: SignetErrorCode): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(SignetError);
  expect((error as SignetError).code).toBe(code);
}
