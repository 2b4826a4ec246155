import type { SignetErrorCode } from '@signet/core';

// The one assertion for "this failed with that SignetError code"; expectCode and the other helpers delegate to it.
// It recognises a SignetError by its class name rather than by `instanceof`: the setup file registers it before each
// test file's vi.mock calls take effect, and importing @signet/core here would load the SDK with unmocked modules.

interface SignetMatchers<R = unknown> {
  /** The value is a SignetError whose `code` is `code`. */
  toBeSignetError(code: SignetErrorCode): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unused-vars
  interface Assertion<T = any> extends SignetMatchers<void> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends SignetMatchers {}
}

/** A SignetError, whichever copy of @signet/core (sources or build) made it. */
function isSignetError(value: unknown): value is Error & { code: unknown } {
  if (!(value instanceof Error)) return false;
  for (let proto: unknown = Object.getPrototypeOf(value); typeof proto === 'object' && proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, 'constructor') && proto.constructor.name === 'SignetError') return true;
  }
  return false;
}

/** What a failure message says about the value: its class, code and message, never its other properties. */
function describe(value: unknown): string {
  if (isSignetError(value)) return `a SignetError with code ${String(value.code)}`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return `a ${typeof value} (${String(value)})`;
}

/** The matcher registered by the setup file: `expect(error).toBeSignetError('ERR_…')`. */
export const signetMatchers = {
  toBeSignetError(received: unknown, code: SignetErrorCode) {
    const pass = isSignetError(received) && received.code === code;
    return {
      pass,
      message: () => (pass ? `expected something other than a SignetError with code ${code}` : `expected a SignetError with code ${code}, got ${describe(received)}`),
    };
  },
};
