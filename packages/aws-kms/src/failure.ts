import { SignetError, type SignetErrorCode } from '@signet/core';

/**
 * What Signet keeps of an AWS SDK error as the `cause` of its `SignetError`: the name, a scrubbed message, the HTTP
 * status and the request id (what AWS support asks for). Never the SDK error itself: its `$metadata`, `$response`
 * and any attached request may hold headers (`Authorization`, `X-Amz-Security-Token`) or a body.
 */
export interface AwsKmsFailure extends Error {
  /** The HTTP status KMS answered with, when there was an answer. */
  readonly httpStatusCode?: number;
  /** The `x-amzn-RequestId` of the failed call, for AWS support. */
  readonly requestId?: string;
}

// Some AWS errors echo the request (SignatureDoesNotMatch prints the canonical request, headers and all). Access key
// ids (AKIA…/ASIA…) and any long base64/hex run (secret keys are 40 characters, session tokens hundreds, SigV4
// signatures 64 hex) are cut out, and so is everything after the first line.
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{12,}\b/g;
const LONG_RUN = /[A-Za-z0-9/+=_-]{32,}/g;
const MAX_MESSAGE = 300;

/** @internal The scrubbed copy of `error`; see {@link AwsKmsFailure}. */
export function scrubbedFailure(error: unknown): AwsKmsFailure {
  const source = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const name = typeof source['name'] === 'string' ? source['name'] : 'Error';
  const raw = typeof source['message'] === 'string' ? source['message'] : String(error);
  const firstLine = raw.split(/\r?\n/, 1)[0] ?? '';
  const message = firstLine.replace(ACCESS_KEY_ID, '[redacted]').replace(LONG_RUN, '[redacted]').slice(0, MAX_MESSAGE);
  const failure = new Error(message) as Error & { httpStatusCode?: number; requestId?: string };
  failure.name = printableName(name);
  const metadata = typeof source['$metadata'] === 'object' && source['$metadata'] !== null ? (source['$metadata'] as Record<string, unknown>) : {};
  if (typeof metadata['httpStatusCode'] === 'number') failure.httpStatusCode = metadata['httpStatusCode'];
  if (typeof metadata['requestId'] === 'string' && /^[A-Za-z0-9-]{1,100}$/.test(metadata['requestId'])) failure.requestId = metadata['requestId'];
  // The stack would point into the SDK's middleware, and says nothing the SignetError's own stack does not.
  delete failure.stack;
  return Object.freeze(failure);
}

/** @internal A `SignetError` for a failed KMS call, its `cause` the scrubbed failure. */
export function kmsError(code: SignetErrorCode, message: string, error: unknown): SignetError {
  const cause = scrubbedFailure(error);
  const what = cause.httpStatusCode === undefined ? cause.name : `${cause.name}, HTTP ${cause.httpStatusCode}`;
  const signetError = new SignetError(code, `${message} (${what}${cause.requestId === undefined ? '' : `, request id ${cause.requestId}`}).`);
  // SignetError takes no options object; `cause` is set as `new Error(message, { cause })` would: own, not enumerable.
  Object.defineProperty(signetError, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return signetError;
}

function printableName(name: string): string {
  return /^[A-Za-z][A-Za-z0-9_.]{0,80}$/.test(name) ? name : 'Error';
}
