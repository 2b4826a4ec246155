import { performance } from 'node:perf_hooks';

/** How long each measurement runs; `--smoke` shortens everything to check that the suite runs. */
export const smoke = process.argv.includes('--smoke');
export const durationMs = smoke ? 150 : 1000;

/** Operations per second of a synchronous function, after a warm-up. */
export function syncRate(fn: () => unknown): number {
  const end = performance.now() + durationMs / 5;
  while (performance.now() < end) fn();
  let count = 0;
  const start = performance.now();
  const stop = start + durationMs;
  let now = start;
  while (now < stop) {
    for (let i = 0; i < 16; i++) fn();
    count += 16;
    now = performance.now();
  }
  return (count * 1000) / (now - start);
}

/** Operations per second of an asynchronous function kept `inFlight` deep, after a warm-up. */
export async function asyncRate(fn: () => Promise<unknown>, inFlight: number): Promise<number> {
  const run = async (ms: number): Promise<number> => {
    let count = 0;
    const stop = performance.now() + ms;
    const worker = async (): Promise<void> => {
      while (performance.now() < stop) {
        await fn();
        count += 1;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: inFlight }, worker));
    return (count * 1000) / (performance.now() - start);
  };
  await run(durationMs / 5);
  return run(durationMs);
}

/**
 * Latencies (ms) and throughput of `fn` kept `inFlight` deep for `ms` after a warm-up, with the event-loop
 * utilisation and the process's CPU time per request (all threads, ms) meanwhile.
 */
export async function latencyRun(fn: () => Promise<unknown>, inFlight: number, ms = durationMs): Promise<{ rps: number; p50: number; p99: number; elu: number; cpuMs: number }> {
  const latencies: number[] = [];
  const runFor = async (ms: number, record: boolean): Promise<number> => {
    const stop = performance.now() + ms;
    const worker = async (): Promise<void> => {
      while (performance.now() < stop) {
        const t0 = performance.now();
        await fn();
        if (record) latencies.push(performance.now() - t0);
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: inFlight }, worker));
    return performance.now() - start;
  };
  await runFor(ms / 4, false);
  const before = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const elapsed = await runFor(ms, true);
  const elu = performance.eventLoopUtilization(before).utilization;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { rps: (latencies.length * 1000) / elapsed, p50: at(0.5), p99: at(0.99), elu, cpuMs: (cpu.user + cpu.system) / 1000 / latencies.length };
}

/** The median of some figures (the upper one of an even count). */
export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/**
 * Runs every named measurement once per round, each round in its own order, so drift in the machine (frequency,
 * neighbours) and what the run before leaves behind (garbage to collect, sockets) fall on all of them alike; the
 * order is a shuffle from a fixed seed, so a run can be repeated. Returns each round's results by name.
 */
export async function alternate<T>(runs: Record<string, () => Promise<T>>, rounds = smoke ? 1 : 5): Promise<Array<Record<string, T>>> {
  let seed = 12;
  const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const results: Array<Record<string, T>> = [];
  for (let round = 0; round < rounds; round++) {
    const names = Object.keys(runs);
    for (let i = names.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [names[i], names[j]] = [names[j] as string, names[i] as string];
    }
    const result: Record<string, T> = {};
    for (const name of names) result[name] = await (runs[name] as () => Promise<T>)();
    results.push(result);
  }
  return results;
}

/**
 * Rates of `ours` and `floor` measured in alternating rounds, so drift in the machine falls on both; the ratio
 * reported is the median of the per-round ratios.
 */
export async function compare(ours: () => Promise<number>, floor: () => Promise<number>, rounds = smoke ? 1 : 5): Promise<{ ours: number; floor: number; ratio: number }> {
  const results: Array<{ ours: number; floor: number }> = [];
  for (let i = 0; i < rounds; i++) {
    const f = await floor();
    const o = await ours();
    results.push({ ours: o, floor: f });
  }
  return { ours: median(results.map((r) => r.ours)), floor: median(results.map((r) => r.floor)), ratio: median(results.map((r) => r.ours / r.floor)) };
}
