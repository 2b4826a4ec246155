// Shared by the test suites of every package: what a call or a request ended with.
import { expect } from 'vitest';
import type { SignetErrorCode } from '@signet/core';
import './matchers.js';

/** What `promise` rejected with; fails the test if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('The request was expected to fail, but it succeeded.');
}

/** What `action` threw; fails the test if it returned. */
export function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('The call was expected to throw, but it returned.');
}

/** `error` is a SignetError with `code`. */
export function expectCode(error: unknown, code: SignetErrorCode): void {
  expect(error).toBeSignetError(code);
}
