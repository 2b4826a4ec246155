import { type KeyObject, sign as cryptoSign } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JwsAlgorithm, SigningKey } from '@signet/core';

/** A {@link SigningKey} standing in for a remote one, that counts how many of its calls overlap. */
export interface CountingKey extends SigningKey {
  /** Calls in progress at the busiest moment since the last `reset()`. */
  readonly maxInFlight: number;
  readonly calls: number;
  reset(): void;
}

/**
 * A remote key with `latencyMs` of round trip: each sign() waits that long (the network, the HSM's queue), then
 * signs for real with node:crypto, so the tokens verify. ES256 keeps the stand-in's own work small (tens of µs), so
 * what is measured is Signet's path around a slow backend, not this machine's RSA speed.
 */
export function delayedKey(algorithm: 'ES256' | 'RS256', privateKey: KeyObject, latencyMs: number): CountingKey {
  let active = 0;
  let maxInFlight = 0;
  let calls = 0;
  const options = algorithm === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : { key: privateKey };
  return {
    algorithm: algorithm satisfies JwsAlgorithm,
    async sign(data) {
      active += 1;
      calls += 1;
      maxInFlight = Math.max(maxInFlight, active);
      try {
        await sleep(latencyMs);
        return cryptoSign('sha256', data, options);
      } finally {
        active -= 1;
      }
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get calls() {
      return calls;
    },
    reset() {
      maxInFlight = 0;
      calls = 0;
    },
  };
}
