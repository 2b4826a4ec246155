import type { Buffer } from 'node:buffer';
import type { KeyObject, SignKeyObjectInput } from 'node:crypto';
import { sign as cryptoSign } from './platform/node-sign.js';
import { SignetError } from './errors.js';

/**
 * Where asymmetric signatures run.
 * - `'auto'`: on libuv's thread pool while signatures overlap in the process, on the calling thread otherwise.
 *   Under concurrency the pool lets signatures run on another core beside the event loop's own work; a signature
 *   that is alone runs on the calling thread, which saves the pool round trip (~130 µs on a 2-core VM) and blocks
 *   the loop for that one signature only. Overlap is judged over the last signatures, not in the current turn
 *   only: see {@link OffloadPolicy}.
 * - `'always'`: always on the thread pool; the event loop is never blocked by signing.
 */
export type OffloadMode = 'auto' | 'always';

/**
 * A spell this long without any signature starting means the process is quiet: the next signature is alone, and
 * runs on the calling thread. Longer than a scheduler can keep a busy process off the CPU on a crowded host
 * (tens of ms), so a busy process that was merely descheduled is not taken for a quiet one.
 * @internal
 */
export const QUIET_MS = 100;
/**
 * This many signatures in a row that overlap nothing change the mode: on the calling thread, the next one goes to
 * the pool as a probe; on the pool, signing returns to the calling thread. A sequential caller pays the pool round
 * trip on one signature in 16 (~6%, ~8 µs a signature on average); load is found within 16 signatures.
 * @internal
 */
export const LONE_RUN = 16;

/**
 * Decides, from what the process is doing, whether signatures go to libuv's thread pool.
 *
 * Signatures are busy when they overlap: several start in the same turn of the event loop, or one starts while
 * another is on the pool. From an overlap on, every signature goes to the pool, until {@link LONE_RUN} signatures
 * in a row have overlapped nothing or the process has been quiet for {@link QUIET_MS}; then they run on the calling
 * thread again. Counting signatures rather than milliseconds keeps a busy process busy when the OS takes the CPU
 * from it for a while.
 *
 * A synchronous signature can never be seen to overlap another, and under steady concurrency requests arrive one per
 * turn, so deciding per turn alone signs nearly everything on the loop (measured: 0.4-0.6 × the pool's throughput at
 * 32 in flight). So on the calling thread, after {@link LONE_RUN} lone signatures in a row the next one goes to the
 * pool as a probe: if another starts while it is there, they overlap. A sequential caller never overlaps its own
 * probe (none of its signatures at the median pays the round trip); a lone signature after a quiet spell is never
 * a probe.
 *
 * A window of signature starts alone cannot tell the two apart: one caller signing in sequence starts a signature
 * about every millisecond, as often as 32 callers whose signatures queue behind each other on the loop do.
 * @internal
 */
export class OffloadPolicy {
  private onPool = 0;
  private busy = false;
  private lastStart = -Infinity;
  private lonesInARow = 0;

  /** @param now a monotonic clock in milliseconds (tests inject one). */
  constructor(readonly now: () => number = () => performance.now()) {}

  /** Whether the `count` signatures that start together in this turn go to the pool. */
  decide(count: number): boolean {
    const now = this.now();
    const quiet = now - this.lastStart >= QUIET_MS;
    this.lastStart = now;
    if (count > 1 || this.onPool > 0) {
      this.busy = true;
      this.lonesInARow = 0;
      return true;
    }
    if (quiet) {
      this.busy = false;
      this.lonesInARow = 0;
      return false;
    }
    this.lonesInARow += 1;
    if (this.lonesInARow < LONE_RUN) return this.busy;
    this.lonesInARow = 0;
    if (this.busy) {
      this.busy = false;
      return false;
    }
    return true;
  }

  /** A signature went to the pool. */
  entered(): void {
    this.onPool += 1;
  }

  /** A signature came back from the pool. */
  left(): void {
    this.onPool -= 1;
  }
}

/** @internal One policy for the process: signatures of every signer share the loop and the pool. */
export const offloadPolicy = new OffloadPolicy();

interface Job {
  run(offload: boolean): void;
}

let queued: Job[] = [];
let flushScheduled = false;

// Callers that arrive in the same turn of the event loop are decided together.
function flush(): void {
  flushScheduled = false;
  const jobs = queued;
  queued = [];
  const offload = offloadPolicy.decide(jobs.length);
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
        offloadPolicy.entered();
        try {
          cryptoSign(algorithm, data, key, (error, signature) => {
            offloadPolicy.left();
            if (error) reject(error);
            else resolve(signature);
          });
        } catch (error) {
          offloadPolicy.left();
          reject(error);
        }
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
