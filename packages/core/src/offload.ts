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
 * This many signatures in a row that overlap nothing change the mode: on the pool, signing returns to the calling
 * thread; on the calling thread, the next one goes to the pool as a probe (the first probe after an overlap; see
 * {@link MAX_PROBE_RUN} for the ones after it). Load that builds up one request per turn is found within 16
 * signatures of its last sign of life.
 * @internal
 */
export const LONE_RUN = 16;
/**
 * Each probe that meets no other signature doubles the run before the next one, up to this many: a caller that
 * signs in sequence without a quiet spell pays the pool round trip on one signature in 256 (it paid it on one in 16, ~6% of its
 * signatures, measurable against bare crypto.sign), and load that starts after a long sequential spell is found
 * within 256 signatures (a tenth of a second at RS256's speed), or at once when signatures start together.
 * @internal
 */
export const MAX_PROBE_RUN = 256;

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
 * pool as a probe: if another starts while it is there, they overlap. A probe that meets nothing doubles the run
 * before the next, up to {@link MAX_PROBE_RUN}. A sequential caller never overlaps its own
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
  private probeRun = LONE_RUN;

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
      this.probeRun = LONE_RUN;
      return true;
    }
    if (quiet) {
      // What follows a quiet spell is new activity: probing starts again from LONE_RUN.
      this.busy = false;
      this.lonesInARow = 0;
      this.probeRun = LONE_RUN;
      return false;
    }
    this.lonesInARow += 1;
    if (this.lonesInARow < (this.busy ? LONE_RUN : this.probeRun)) return this.busy;
    this.lonesInARow = 0;
    if (this.busy) {
      this.busy = false;
      return false;
    }
    // A probe. Had the last one met another signature, probeRun would be back at LONE_RUN.
    this.probeRun = Math.min(this.probeRun * 2, MAX_PROBE_RUN);
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
