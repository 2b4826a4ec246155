import { expectCode, rejection } from '@signet/test-support';
import type { SignetErrorCode } from '@signet/core';

export { expectCode, rejection, thrown } from '@signet/test-support';

/** `promise` rejects with a SignetError of `code`. */
export async function expectRejectedWith(promise: Promise<unknown>, code: SignetErrorCode): Promise<void> {
  expectCode(await rejection(promise), code);
}
