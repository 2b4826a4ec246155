import type { Buffer } from 'node:buffer';
import { type KeyObject, type SignKeyObjectInput, sign as cryptoSign } from 'node:crypto';
import { SignetError } from './errors.js';

/**
 * Where asymmetric signatures run.
 * - `'auto'`: on libuv's thread pool whenever two or more signatures overlap anywhere in the process, so signing
 *   under load never queues behind the event loop; a signature that is alone runs on the calling thread, which
 *   saves the thread-pool round trip (measured at ~130 µs on a 2-core VM) and blocks the loop for that one
 *   signature only.
 * - `'always'`: always on the thread pool; the event loop is never blocked by signing.
 */
export type OffloadMode = 'auto' | 'always';

interface Job {
  run(offload: boolean): void;
}

let queued: Job[] = [];
let flushScheduled = false;
let onPool = 0;

// Callers that arrive in the same turn of the event loop are decided together: if there are several, or the pool
// already holds work, every one of them goes to the pool.
function flush(): void {
  flushScheduled = false;
  const jobs = queued;
  queued = [];
  const offload = onPool > 0 || jobs.length > 1;
  for (const job of jobs) job.run(offload);
}

/** @internal Signs `data` (sync and async take the very same inputs, so both give the same bytes). */
export function signData(algorithm: string | null, data: Buffer, key: KeyObject | SignKeyObjectInput, mode: OffloadMode): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const job: Job = {
      run(offload) {
        if (!offload) {
          try {
            resolve(cryptoSign(algorithm, data, key));
          } catch (error) {
            reject(error);
          }
          return;
        }
        onPool += 1;
        cryptoSign(algorithm, data, key, (error, signature) => {
          onPool -= 1;
          if (error) reject(error);
          else resolve(signature);
        });
      },
    };
    if (mode === 'always') return job.run(true);
    queued.push(job);
    if (!flushScheduled) {
      flushScheduled = true;
      queueMicrotask(flush);
    }
  });
}

/** @internal */
export function checkOffload(mode: unknown): asserts mode is OffloadMode {
  if (mode !== 'auto' && mode !== 'always') throw new SignetError('ERR_INVALID_OPTION', "offload must be 'auto' or 'always'.");
}
