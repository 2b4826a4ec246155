import { SignetError } from './errors.js';

// RFC 9110 field-value: visible ASCII, obs-text, space and tab; never CR, LF or NUL (header injection).
const UNSAFE_HEADER_VALUE = /[\0-\x08\n-\x1f\x7f]/;
// RFC 9110 token, the grammar of header names.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** @internal Refuses a non-string, empty or header-unsafe value; `what` names it in the message, never the value. */
export function assertHeaderSafeString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new SignetError('ERR_INVALID_OPTION', `${what} must be a non-empty string.`);
  }
  if (UNSAFE_HEADER_VALUE.test(value)) {
    throw new SignetError('ERR_INVALID_OPTION', `${what} contains a control character (CR, LF, NUL…); it would corrupt a header.`);
  }
}

/** @internal */
export function assertHeaderName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) {
    throw new SignetError('ERR_INVALID_OPTION', `${what} must be a valid HTTP header name.`);
  }
}

/** @internal */
export function assertPositiveInteger(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new SignetError('ERR_INVALID_OPTION', `${what} must be a positive whole number of seconds.`);
  }
}
