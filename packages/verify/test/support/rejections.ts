import { expectCode, rejection } from '../../../axios/test/support/outcomes.js';
import type { SignetErrorCode } from '@signet/core';

export { expectCode, rejection, thrown } from '../../../axios/test/support/outcomes.js';

/** `promise` rejects with a SignetError of `code`. */
export async function expectRejectedWith(promise: Promise<unknown>, code: SignetErrorCode): Promise<void> {
  expectCode(await rejection(promise), code);
}
